package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keyward/keyward/shared/rotation"
)

// The test cluster serves TLS with a certificate from a private CA (for
// 127.0.0.1 and localhost) and also accepts plaintext, so a client that fell back
// to plaintext after a failed verification would log in.
func TestTLSVerifiedNeverFallsBack(t *testing.T) {
	ctx := context.Background()
	m := master(t)
	yes := true
	m.SSL = &yes
	for _, tc := range []struct {
		name    string
		host    string
		opts    Options
		wantErr bool
	}{
		{"private CA trusted", "127.0.0.1", Options{RootCAs: testCA}, false},
		{"host name localhost", "localhost", Options{RootCAs: testCA}, false},
		{"system roots only: no fallback", "127.0.0.1", Options{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := m
			d.Host = tc.host
			conn, err := connect(ctx, d, tc.opts)
			if tc.wantErr {
				if err == nil {
					conn.Close(ctx)
					t.Fatal("logged in although the certificate cannot be verified")
				}
				if !errors.Is(err, rotation.ErrUnreachable) || !strings.Contains(err.Error(), "certificate") {
					t.Fatalf("got %v, want a certificate verification error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var ssl bool
			if err := conn.QueryRow(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl); err != nil || !ssl {
				t.Fatalf("session is not encrypted (ssl=%v, %v)", ssl, err)
			}
		})
	}
	plain := m
	plain.SSL = nil // loopback without "ssl": plaintext by design
	if err := login(ctx, plain, Options{}); err != nil {
		t.Fatalf("loopback without ssl: %v", err)
	}
}
