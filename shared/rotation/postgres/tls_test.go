package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward/shared/rotation"
)

// The test cluster has no TLS. With "ssl": true the login must fail — pgx's
// default sslmode=prefer would silently retry in plaintext.
func TestTLSNeverFallsBackToPlaintext(t *testing.T) {
	m := master(t)
	yes := true
	m.SSL = &yes
	err := login(context.Background(), m, Options{})
	if err == nil {
		t.Fatal("logged in without TLS although the secret requires it")
	}
	if !errors.Is(err, rotation.ErrUnreachable) {
		t.Fatalf("got %v, want an Unreachable error", err)
	}
	m.SSL = nil // loopback without "ssl": plaintext by design
	if err := login(context.Background(), m, Options{}); err != nil {
		t.Fatalf("loopback without ssl: %v", err)
	}
}
