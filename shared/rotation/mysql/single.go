package mysql

import (
	"context"
	"errors"
	"fmt"

	"github.com/keyward/keyward/shared/rotation"
)

// Single rotates the password of the secret's own user, logging in as that user.
type Single struct{ Options Options }

// NewSingle returns the single-user strategy.
func NewSingle(o Options) rotation.Strategy { return Single{Options: o} }

// Name implements rotation.Strategy.
func (Single) Name() string { return "mysql-single" }

// Create implements rotation.Strategy: the current secret with a new password.
func (Single) Create(ctx context.Context, req *rotation.Request) (rotation.Secret, error) {
	if _, err := rotation.ParseDBSecret(req.Current, DefaultPort); err != nil {
		return nil, err
	}
	pw, err := req.NewPassword(ctx)
	if err != nil {
		return nil, err
	}
	return req.Current.With(map[string]any{"password": pw}), nil
}

// Set implements rotation.Strategy: ALTER USER CURRENT_USER() IDENTIFIED BY on
// MySQL; on MariaDB, whose ALTER USER needs CREATE USER even for oneself, the
// equivalent SET PASSWORD = PASSWORD(…).
func (s Single) Set(ctx context.Context, req *rotation.Request) error {
	cur, pend, err := pair(req)
	if err != nil {
		return err
	}
	if pend.Username != cur.Username {
		return fmt.Errorf("%w: pending username differs from current", rotation.ErrSecretFormat)
	}
	if login(ctx, pend, s.Options) == nil {
		return nil
	}
	sess, err := connect(ctx, cur, s.Options)
	if errors.Is(err, rotation.ErrAuth) {
		// A rotation whose stage move was cut short leaves the working
		// password in AWSPREVIOUS.
		if prev, perr := req.Previous(ctx); perr == nil && prev != nil {
			if p, perr := rotation.ParseDBSecret(prev, DefaultPort); perr == nil && p.Username == cur.Username && p.SameTarget(cur) {
				if ps, perr := connect(ctx, p, s.Options); perr == nil {
					sess, err = ps, nil
				}
			}
		}
	}
	if err != nil {
		return err
	}
	defer sess.Close()
	maria, err := sess.isMariaDB(ctx)
	if err != nil {
		return err
	}
	stmt := "ALTER USER CURRENT_USER() IDENTIFIED BY ?"
	if maria {
		stmt = "SET PASSWORD = PASSWORD(?)"
	}
	if _, err := sess.conn.ExecContext(ctx, stmt, pend.Password); err != nil {
		return stmtErr("set own password", err)
	}
	return nil
}

// Test implements rotation.Strategy: the pending credentials log in and query.
func (s Single) Test(ctx context.Context, req *rotation.Request) error {
	pend, err := rotation.ParseDBSecret(req.Pending, DefaultPort)
	if err != nil {
		return err
	}
	sess, err := connect(ctx, pend, s.Options)
	if err != nil {
		return rotation.Classify(rotation.ErrPendingInvalid, "mysql: test AWSPENDING", err)
	}
	defer sess.Close()
	var one int
	if err := sess.conn.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return rotation.Classify(rotation.ErrPendingInvalid, "mysql: test query", classify("SELECT 1", err))
	}
	return nil
}

func pair(req *rotation.Request) (cur, pend rotation.DBSecret, err error) {
	if cur, err = rotation.ParseDBSecret(req.Current, DefaultPort); err != nil {
		return cur, pend, err
	}
	if pend, err = rotation.ParseDBSecret(req.Pending, DefaultPort); err != nil {
		return cur, pend, err
	}
	if !pend.SameTarget(cur) || pend.DBName != cur.DBName {
		return cur, pend, fmt.Errorf("%w: pending secret points at another server or database than current", rotation.ErrSecretFormat)
	}
	return cur, pend, nil
}
