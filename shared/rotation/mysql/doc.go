// Package mysql rotates MySQL and MariaDB credentials: single-user (the user
// changes its own password) and alternating users (<user> and <user>_clone,
// managed through a master secret, the clone getting the user's grants replayed
// from SHOW GRANTS and its REQUIRE SSL/X509 options from SHOW CREATE USER).
//
// Connections are built from a driver Config (no DSN string) with TLS verified
// unless the secret says "ssl": false or the host is loopback; statements that
// carry a password are client-side interpolated by the driver, which escapes
// according to the server's NO_BACKSLASH_ESCAPES status, and their errors are
// reported by number only.
package mysql
