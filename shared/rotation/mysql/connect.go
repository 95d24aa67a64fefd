package mysql

import (
	"context"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/keyward/keyward/shared/rotation"
)

// DefaultPort is used when the secret has no port.
const DefaultPort = 3306

// Options configure how the strategies connect.
type Options struct {
	RootCAs        *x509.CertPool // nil: system roots (bundle the RDS CA for RDS)
	ConnectTimeout time.Duration  // 0: 5s
}

// session is one logged-in connection.
type session struct {
	db   *sql.DB
	conn *sql.Conn
}

func (s *session) Close() {
	_ = s.conn.Close()
	_ = s.db.Close()
}

// connect logs in with the secret's credentials; its errors are classified as
// ErrUnreachable, ErrAuth or ErrTarget and never hold the password.
func connect(ctx context.Context, d rotation.DBSecret, o Options) (*session, error) {
	tlsConf, err := rotation.TLSConfig(d.Host, d.SSL, o.RootCAs)
	if err != nil {
		return nil, err
	}
	cfg := driver.NewConfig()
	cfg.User = d.Username
	cfg.Passwd = d.Password
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(strings.Trim(d.Host, "[]"), strconv.Itoa(d.Port))
	cfg.DBName = d.DBName
	cfg.TLS = tlsConf // nil only by explicit choice; the driver never downgrades a set TLS config
	cfg.Timeout = o.ConnectTimeout
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	cfg.InterpolateParams = true // ALTER USER … IDENTIFIED BY ? cannot be a server-side prepared statement
	cfg.Logger = &driver.NopLogger{}
	connector, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql: config: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		_ = db.Close()
		return nil, classify(fmt.Sprintf("mysql: log in as %q at %s", d.Username, cfg.Addr), err)
	}
	return &session{db: db, conn: conn}, nil
}

func classify(where string, err error) error {
	var myErr *driver.MySQLError
	if errors.As(err, &myErr) {
		safe := fmt.Errorf("error %d: %s", myErr.Number, myErr.Message)
		if myErr.Number == 1045 || myErr.Number == 1044 || myErr.Number == 3159 { // access denied, insecure transport required
			return rotation.Classify(rotation.ErrAuth, where, safe)
		}
		return rotation.Classify(rotation.ErrTarget, where, safe)
	}
	return rotation.Classify(rotation.ErrUnreachable, where, err)
}

// stmtErr reports a failed statement that carried a password: number only, since
// a syntax error message would echo part of the statement.
func stmtErr(what string, err error) error {
	var myErr *driver.MySQLError
	if errors.As(err, &myErr) {
		return rotation.Classify(rotation.ErrTarget, "mysql: "+what, fmt.Errorf("error %d", myErr.Number))
	}
	return rotation.Classify(rotation.ErrUnreachable, "mysql: "+what, errors.New("connection lost"))
}

func login(ctx context.Context, d rotation.DBSecret, o Options) error {
	s, err := connect(ctx, d, o)
	if err != nil {
		return err
	}
	s.Close()
	return nil
}

// isMariaDB reports whether the server is MariaDB (whose ALTER USER needs the
// CREATE USER privilege even for one's own account).
func (s *session) isMariaDB(ctx context.Context) (bool, error) {
	var v string
	if err := s.conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return false, classify("mysql: SELECT VERSION()", err)
	}
	return strings.Contains(strings.ToLower(v), "mariadb"), nil
}
