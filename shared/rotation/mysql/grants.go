package mysql

import (
	"fmt"
	"strings"

	"github.com/keyward/keyward/shared/rotation"
)

// indexOutside returns the index of sub in s at or after from, skipping text
// inside `identifiers`, 'strings' and "strings"; -1 if absent. Matching is
// case-insensitive (sub must be upper case).
func indexOutside(s, sub string, from int) int {
	var quote byte
	for i := from; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			switch {
			case c == '\\' && quote != '`':
				i++
			case c == quote && i+1 < len(s) && s[i+1] == quote:
				i++
			case c == quote:
				quote = 0
			}
			continue
		}
		if c == '`' || c == '\'' || c == '"' {
			quote = c
			continue
		}
		if strings.HasPrefix(strings.ToUpper(s[i:min(len(s), i+len(sub))]), sub) {
			return i
		}
	}
	return -1
}

// RewriteGrant turns one SHOW GRANTS row for a user into the same grant for
// grantee (an already quoted account). The row's IDENTIFIED … (a password hash)
// and REQUIRE … parts are dropped — REQUIRE is carried by ALTER USER — and its
// WITH … part (GRANT OPTION, resource limits) is kept.
func RewriteGrant(row, grantee string) (string, error) {
	if !strings.HasPrefix(strings.ToUpper(row), "GRANT ") {
		return "", fmt.Errorf("%w: unexpected SHOW GRANTS row", rotation.ErrTarget)
	}
	to := indexOutside(row, " TO ", 0)
	if to < 0 {
		return "", fmt.Errorf("%w: SHOW GRANTS row without grantee", rotation.ErrTarget)
	}
	rest := row[to+len(" TO "):]
	with := ""
	for _, kw := range []string{" WITH GRANT OPTION", " WITH ADMIN OPTION", " WITH MAX_"} {
		if i := indexOutside(rest, kw, 0); i >= 0 && (with == "" || len(rest)-i > len(with)) {
			with = rest[i:]
		}
	}
	return row[:to] + " TO " + grantee + with, nil
}

// RequireClause extracts the REQUIRE … options (SSL, X509, ISSUER, SUBJECT,
// CIPHER) from a SHOW CREATE USER statement; "NONE" when there are none.
func RequireClause(createUser string) string {
	i := indexOutside(createUser, " REQUIRE ", 0)
	if i < 0 {
		return "NONE"
	}
	rest := createUser[i+len(" REQUIRE "):]
	end := len(rest)
	for _, kw := range []string{" WITH MAX_", " PASSWORD ", " ACCOUNT ", " FAILED_LOGIN_ATTEMPTS", " PASSWORD_LOCK_TIME", " COMMENT ", " ATTRIBUTE "} {
		if j := indexOutside(rest, kw, 0); j >= 0 && j < end {
			end = j
		}
	}
	return strings.TrimSpace(rest[:end])
}

// quoteAccount quotes user@host for a statement.
func quoteAccount(user, host string) string {
	q := func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
	return q(user) + "@" + q(host)
}
