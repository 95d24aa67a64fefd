package postgres

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// MaxIdentifierBytes is PostgreSQL's NAMEDATALEN-1: longer role names are truncated
// by the server, so keyward refuses them instead.
const MaxIdentifierBytes = 63

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

// quoteLiteral quotes s as a string literal that reads the same whatever
// standard_conforming_strings is (the E” form when s holds a backslash).
func quoteLiteral(s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if strings.Contains(s, `\`) {
		return `E'` + strings.ReplaceAll(s, `\`, `\\`) + `'`
	}
	return "'" + s + "'"
}

// setPassword changes a role's password (and, through a master, allows it to log in). The password
// travels as a SCRAM-SHA-256 verifier when it is printable ASCII (always so for
// GetRandomPassword), which PostgreSQL stores as is.
func setPassword(ctx context.Context, conn *pgx.Conn, role, password string, allowLogin bool) error {
	secret := quoteLiteral(password)
	if printableASCII(password) {
		v, err := scramVerifier(password)
		if err != nil {
			return err
		}
		secret = quoteLiteral(v)
	}
	attrs := " WITH PASSWORD "
	if allowLogin { // only a role manager may grant LOGIN; a user may change its own password
		attrs = " WITH LOGIN PASSWORD "
	}
	if _, err := conn.Exec(ctx, "ALTER ROLE "+quoteIdent(role)+attrs+secret); err != nil {
		return stmtErr("ALTER ROLE "+quoteIdent(role)+" PASSWORD", err)
	}
	return nil
}

func printableASCII(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// execSQL runs a statement without secret material.
func execSQL(ctx context.Context, conn *pgx.Conn, sql string) error {
	if _, err := conn.Exec(ctx, sql); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return stmtErr(sql+" ("+pgErr.Message+")", err)
		}
		return stmtErr(sql, err)
	}
	return nil
}
