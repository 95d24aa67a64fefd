package postgres

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keyward/keyward/shared/rotation"
)

// DefaultPort is used when the secret has no port.
const DefaultPort = 5432

// Options configure how the strategies connect.
type Options struct {
	RootCAs        *x509.CertPool // nil: system roots (bundle the RDS CA for RDS)
	ConnectTimeout time.Duration  // 0: 5s
}

// connect logs in with the secret's credentials. Its errors say who could not log
// in where, classified as ErrUnreachable, ErrAuth or ErrTarget; never the password.
func connect(ctx context.Context, d rotation.DBSecret, o Options) (*pgx.Conn, error) {
	tlsConf, err := rotation.TLSConfig(d.Host, d.SSL, o.RootCAs)
	if err != nil {
		return nil, err
	}
	// ParseConfig("") gives defaults (and honours PG* variables); every field
	// that matters is then set explicitly, and Fallbacks cleared so that a TLS
	// failure is never retried in plaintext (libpq's sslmode=prefer behaviour).
	cfg, err := pgx.ParseConfig("")
	if err != nil {
		return nil, fmt.Errorf("postgres: config: %w", err)
	}
	cfg.Host = strings.Trim(d.Host, "[]")
	cfg.Port = uint16(d.Port)
	cfg.User = d.Username
	cfg.Password = d.Password
	cfg.Database = d.DBName
	if cfg.Database == "" {
		cfg.Database = "postgres"
	}
	cfg.TLSConfig = tlsConf
	cfg.Fallbacks = nil
	cfg.ConnectTimeout = o.ConnectTimeout
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	cfg.RuntimeParams = map[string]string{"application_name": "keyward-rotation"}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, classifyConnect(d, err)
	}
	return conn, nil
}

func classifyConnect(d rotation.DBSecret, err error) error {
	where := fmt.Sprintf("postgres: log in as %q at %s:%d", d.Username, d.Host, d.Port)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if strings.HasPrefix(pgErr.Code, "28") { // invalid_authorization_specification, invalid_password
			return rotation.Classify(rotation.ErrAuth, where, safeErr(pgErr))
		}
		return rotation.Classify(rotation.ErrTarget, where, safeErr(pgErr))
	}
	return rotation.Classify(rotation.ErrUnreachable, where, err)
}

// safeErr keeps only the SQLSTATE and the server's message of errors caused by
// statements without secret material, and only the SQLSTATE otherwise.
func safeErr(e *pgconn.PgError) error {
	return fmt.Errorf("SQLSTATE %s: %s", e.Code, e.Message)
}

// stmtErr reports a failed statement that carried secret material: only its
// SQLSTATE, since a syntax error would echo part of the statement.
func stmtErr(what string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return rotation.Classify(rotation.ErrTarget, "postgres: "+what, fmt.Errorf("SQLSTATE %s", pgErr.Code))
	}
	return rotation.Classify(rotation.ErrUnreachable, "postgres: "+what, errors.New("connection lost"))
}

// login reports whether the secret's credentials log in (closing the connection).
func login(ctx context.Context, d rotation.DBSecret, o Options) error {
	conn, err := connect(ctx, d, o)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}
