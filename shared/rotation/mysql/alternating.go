package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward/shared/rotation"
)

// CloneSuffix names the second user of a pair.
const CloneSuffix = "_clone"

// Maximum user name lengths in characters.
const (
	MaxUserMySQL   = 32
	MaxUserMariaDB = 80
)

// Alternating rotates between <user> and <user>_clone through the master secret
// named by "masterarn". The clone is created locked, receives the user's
// REQUIRE options and replayed grants, and is unlocked by setting its password
// last, so a pending login that works means everything before it is done.
type Alternating struct{ Options Options }

// NewAlternating returns the alternating-users strategy.
func NewAlternating(o Options) rotation.Strategy { return Alternating{Options: o} }

// Name implements rotation.Strategy.
func (Alternating) Name() string { return "mysql-alternating" }

// Users returns the pair for a username (either of the two), refusing names
// whose clone would exceed the engine's limit.
func Users(username, engine string) (base, clone string, err error) {
	base = strings.TrimSuffix(username, CloneSuffix)
	limit := MaxUserMySQL
	if strings.Contains(strings.ToLower(engine), "mariadb") {
		limit = MaxUserMariaDB
	}
	if base == "" {
		return "", "", fmt.Errorf("%w: username is empty", rotation.ErrSecretFormat)
	}
	if utf8.RuneCountInString(base)+len(CloneSuffix) > limit {
		return "", "", fmt.Errorf("%w: username longer than %d characters leaves no room for %q", rotation.ErrSecretFormat, limit-len(CloneSuffix), CloneSuffix)
	}
	return base, base + CloneSuffix, nil
}

func other(username, engine string) (string, error) {
	base, clone, err := Users(username, engine)
	if err != nil {
		return "", err
	}
	if username == clone {
		return base, nil
	}
	return clone, nil
}

// Create implements rotation.Strategy: the other user with a new password.
func (Alternating) Create(ctx context.Context, req *rotation.Request) (rotation.Secret, error) {
	cur, err := rotation.ParseDBSecret(req.Current, DefaultPort)
	if err != nil {
		return nil, err
	}
	if cur.MasterARN == "" {
		return nil, fmt.Errorf("%w: masterarn is required for alternating users", rotation.ErrSecretFormat)
	}
	next, err := other(cur.Username, cur.Engine)
	if err != nil {
		return nil, err
	}
	pw, err := req.NewPassword(ctx)
	if err != nil {
		return nil, err
	}
	return req.Current.With(map[string]any{"username": next, "password": pw}), nil
}

// Set implements rotation.Strategy.
func (a Alternating) Set(ctx context.Context, req *rotation.Request) error {
	cur, pend, err := pair(req)
	if err != nil {
		return err
	}
	next, err := other(cur.Username, cur.Engine)
	if err != nil {
		return err
	}
	if pend.Username != next {
		return fmt.Errorf("%w: pending username is not the other user of the pair", rotation.ErrSecretFormat)
	}
	if login(ctx, pend, a.Options) == nil {
		return nil
	}
	masterSecret, err := req.ReadCurrent(ctx, cur.MasterARN)
	if err != nil {
		return err
	}
	master, err := rotation.ParseDBSecret(masterSecret, DefaultPort)
	if err != nil {
		return fmt.Errorf("master secret: %w", err)
	}
	if !master.SameTarget(cur) {
		return fmt.Errorf("%w: master secret points at another server", rotation.ErrSecretFormat)
	}
	sess, err := connect(ctx, master, a.Options)
	if err != nil {
		return fmt.Errorf("master: %w", err)
	}
	defer sess.Close()
	host, err := accountHost(ctx, sess.conn, cur.Username)
	if err != nil {
		return err
	}
	if err := CopyUser(ctx, sess.conn, cur.Username, pend.Username, host); err != nil {
		return err
	}
	if _, err := sess.conn.ExecContext(ctx, "ALTER USER ?@? IDENTIFIED BY ? ACCOUNT UNLOCK", pend.Username, host, pend.Password); err != nil {
		return stmtErr("ALTER USER "+quoteAccount(pend.Username, host)+" IDENTIFIED BY", err)
	}
	return nil
}

// accountHost finds the host part of the user's single account.
func accountHost(ctx context.Context, conn *sql.Conn, user string) (string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT Host FROM mysql.user WHERE User = ?", user)
	if err != nil {
		return "", classify("mysql: look up account", err)
	}
	defer rows.Close()
	var hosts []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return "", classify("mysql: look up account", err)
		}
		hosts = append(hosts, h)
	}
	if err := rows.Err(); err != nil {
		return "", classify("mysql: look up account", err)
	}
	if len(hosts) != 1 {
		return "", fmt.Errorf("%w: user %q has %d accounts, want exactly one", rotation.ErrTarget, user, len(hosts))
	}
	return hosts[0], nil
}

// CopyUser makes to@host a locked copy of from@host: created if missing, the
// same REQUIRE options, and every grant of from replayed. Idempotent.
func CopyUser(ctx context.Context, conn *sql.Conn, from, to, host string) error {
	if _, err := conn.ExecContext(ctx, "CREATE USER IF NOT EXISTS ?@? ACCOUNT LOCK", to, host); err != nil {
		return classify("mysql: CREATE USER "+quoteAccount(to, host), err)
	}
	var create string
	if err := conn.QueryRowContext(ctx, "SHOW CREATE USER ?@?", from, host).Scan(&create); err != nil {
		return classify("mysql: SHOW CREATE USER "+quoteAccount(from, host), err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER USER "+quoteAccount(to, host)+" REQUIRE "+RequireClause(create)); err != nil {
		return classify("mysql: ALTER USER "+quoteAccount(to, host)+" REQUIRE", err)
	}
	rows, err := conn.QueryContext(ctx, "SHOW GRANTS FOR ?@?", from, host)
	if err != nil {
		return classify("mysql: SHOW GRANTS FOR "+quoteAccount(from, host), err)
	}
	var grants []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return classify("mysql: SHOW GRANTS", err)
		}
		grants = append(grants, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return classify("mysql: SHOW GRANTS", err)
	}
	for _, g := range grants {
		stmt, err := RewriteGrant(g, quoteAccount(to, host))
		if err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return classify("mysql: replay grant onto "+quoteAccount(to, host), err)
		}
	}
	return nil
}

// Test implements rotation.Strategy.
func (a Alternating) Test(ctx context.Context, req *rotation.Request) error {
	return Single(a).Test(ctx, req)
}
