package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keyward/keyward/shared/rotation"
)

// Suffixes of the derived role names.
const (
	CloneSuffix = "_clone"
	OwnerSuffix = "_owner"
)

// Alternating rotates between <user> and <user>_clone through the master secret
// named by "masterarn". Both users are members of the NOLOGIN role <user>_owner
// (or the secret's "ownerrole") and have it as their session role
// (ALTER ROLE … SET role), so every object either creates is owned by the owner
// role and stays usable after the next switch: no ownership drift.
type Alternating struct{ Options Options }

// NewAlternating returns the alternating-users strategy.
func NewAlternating(o Options) rotation.Strategy { return Alternating{Options: o} }

// Name implements rotation.Strategy.
func (Alternating) Name() string { return "postgres-alternating" }

// Roles are the three roles of an alternating-users secret.
type Roles struct{ Base, Clone, Owner string }

// RolesFor derives the roles from a secret's username (either of the pair) and
// optional owner role; names must fit PostgreSQL's 63-byte identifiers.
func RolesFor(username, ownerRole string) (Roles, error) {
	base := strings.TrimSuffix(username, CloneSuffix)
	if base == "" {
		return Roles{}, fmt.Errorf("%w: username is empty", rotation.ErrSecretFormat)
	}
	if len(base)+len(CloneSuffix) > MaxIdentifierBytes {
		return Roles{}, fmt.Errorf("%w: username longer than %d bytes leaves no room for %q", rotation.ErrSecretFormat, MaxIdentifierBytes-len(CloneSuffix), CloneSuffix)
	}
	r := Roles{Base: base, Clone: base + CloneSuffix, Owner: ownerRole}
	if r.Owner == "" {
		r.Owner = base + OwnerSuffix
	}
	if len(r.Owner) > MaxIdentifierBytes {
		return Roles{}, fmt.Errorf("%w: owner role longer than %d bytes", rotation.ErrSecretFormat, MaxIdentifierBytes)
	}
	return r, nil
}

// Other returns the user that is not username.
func (r Roles) Other(username string) string {
	if username == r.Clone {
		return r.Base
	}
	return r.Clone
}

func rolesOf(s rotation.Secret, username string) (Roles, error) {
	owner, err := s.String("ownerrole")
	if err != nil {
		return Roles{}, err
	}
	return RolesFor(username, owner)
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
	roles, err := rolesOf(req.Current, cur.Username)
	if err != nil {
		return nil, err
	}
	pw, err := req.NewPassword(ctx)
	if err != nil {
		return nil, err
	}
	return req.Current.With(map[string]any{"username": roles.Other(cur.Username), "password": pw}), nil
}

// Set implements rotation.Strategy. Through the master connection it ensures the
// owner role and both users exist, both are members of the owner with it as
// session role, objects they own in the database are reassigned to the owner,
// and finally sets the pending user's password (last, so a pending login that
// works means everything before it is done).
func (a Alternating) Set(ctx context.Context, req *rotation.Request) error {
	cur, pend, err := pair(req)
	if err != nil {
		return err
	}
	roles, err := rolesOf(req.Current, cur.Username)
	if err != nil {
		return err
	}
	if pend.Username != roles.Other(cur.Username) {
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
	master.DBName = cur.DBName // REASSIGN OWNED works in the connected database
	conn, err := connect(ctx, master, a.Options)
	if err != nil {
		return fmt.Errorf("master: %w", err)
	}
	defer conn.Close(ctx)
	if err := Provision(ctx, conn, roles); err != nil {
		return err
	}
	return setPassword(ctx, conn, pend.Username, pend.Password, true)
}

// Provision makes roles.Owner a NOLOGIN role, Base and Clone login members of
// it that assume it for every session, and moves objects either owns in the
// connected database to the owner. Every statement is idempotent.
func Provision(ctx context.Context, conn *pgx.Conn, roles Roles) error {
	if err := ensureRole(ctx, conn, roles.Owner, "NOLOGIN"); err != nil {
		return err
	}
	for _, user := range []string{roles.Base, roles.Clone} {
		if err := ensureRole(ctx, conn, user, "LOGIN"); err != nil {
			return err
		}
		if err := execSQL(ctx, conn, "GRANT "+quoteIdent(roles.Owner)+" TO "+quoteIdent(user)); err != nil {
			return err
		}
		if err := execSQL(ctx, conn, "ALTER ROLE "+quoteIdent(user)+" SET role = "+quoteLiteral(roles.Owner)); err != nil {
			return err
		}
	}
	// Objects either login user still owns in this database (created before the
	// pair was managed) move to the owner. REASSIGN OWNED needs the privileges
	// of all three roles, so it only runs when there is something to move.
	var owned bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid
		WHERE d.deptype = 'o' AND d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND r.rolname IN ($1, $2))`, roles.Base, roles.Clone).Scan(&owned); err != nil {
		return stmtErr("look up owned objects", err)
	}
	if !owned {
		return nil
	}
	_, err := conn.Exec(ctx, "REASSIGN OWNED BY "+quoteIdent(roles.Base)+", "+quoteIdent(roles.Clone)+" TO "+quoteIdent(roles.Owner))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return rotation.Classify(rotation.ErrTarget, "postgres: REASSIGN OWNED BY "+quoteIdent(roles.Base)+", "+quoteIdent(roles.Clone),
			fmt.Errorf("the master role needs the privileges of %s, %s and %s to move the objects they own (GRANT them to it once): SQLSTATE 42501",
				quoteIdent(roles.Base), quoteIdent(roles.Clone), quoteIdent(roles.Owner)))
	}
	if err != nil {
		return stmtErr("REASSIGN OWNED", err)
	}
	return nil
}

func ensureRole(ctx context.Context, conn *pgx.Conn, role, login string) error {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return stmtErr("look up role", err)
	}
	if exists {
		return nil
	}
	_, err := conn.Exec(ctx, "CREATE ROLE "+quoteIdent(role)+" "+login)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42710" { // duplicate_object: a concurrent delivery won
		return nil
	}
	if err != nil {
		return stmtErr("CREATE ROLE "+quoteIdent(role), err)
	}
	return nil
}

// Test implements rotation.Strategy: the pending user logs in and its session
// runs as the owner role.
func (a Alternating) Test(ctx context.Context, req *rotation.Request) error {
	pend, err := rotation.ParseDBSecret(req.Pending, DefaultPort)
	if err != nil {
		return err
	}
	roles, err := rolesOf(req.Pending, pend.Username)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, pend, a.Options)
	if err != nil {
		return rotation.Classify(rotation.ErrPendingInvalid, "postgres: test AWSPENDING", err)
	}
	defer conn.Close(ctx)
	var role string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&role); err != nil {
		return rotation.Classify(rotation.ErrPendingInvalid, "postgres: test query", err)
	}
	if role != roles.Owner {
		return fmt.Errorf("postgres: session of %q runs as %q, not the owner role %q: %w", pend.Username, role, roles.Owner, rotation.ErrPendingInvalid)
	}
	return nil
}
