package mysql

import (
	"context"
	"testing"
)

// The machine's MariaDB has no TLS. With "ssl": true the login must fail rather
// than continue in plaintext.
func TestTLSNeverFallsBackToPlaintext(t *testing.T) {
	if serverErr != nil {
		t.Fatalf("MariaDB/MySQL unavailable: %v", serverErr)
	}
	d := rootSecret
	yes := true
	d.SSL = &yes
	s, err := connect(context.Background(), d, Options{})
	if err == nil {
		defer s.Close()
		var cipher string
		_ = s.conn.QueryRowContext(context.Background(), "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher'").Scan(&cipher)
		if cipher == "" {
			t.Fatal("logged in without TLS although the secret requires it")
		}
	}
}
