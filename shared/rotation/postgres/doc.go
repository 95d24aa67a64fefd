// Package postgres rotates PostgreSQL credentials: single-user (the user changes
// its own password) and alternating users (<user> and <user>_clone take turns,
// managed through a master secret, both acting as one NOLOGIN owner role so that
// objects created by either stay usable by the other).
//
// Passwords are sent to the server as SCRAM-SHA-256 verifiers computed here, so
// the plaintext never reaches the server's statement log; connections are built
// field by field (no DSN string) with TLS verified unless the secret says
// "ssl": false or the host is loopback, and never fall back to plaintext.
package postgres
