package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

// memoryTarget is a credential store in memory: the protocol's own matrix runs
// against it without a database.
type memoryTarget struct {
	mu    sync.Mutex
	users map[string]string
	down  map[string]bool
}

func (m *memoryTarget) login(s rotation.Secret) error {
	u, _ := s.String("username")
	p, _ := s.String("password")
	h, _ := s.String("host")
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down[h] {
		return rotation.Classify(rotation.ErrUnreachable, "memory: dial "+h, nil)
	}
	if pw, ok := m.users[u]; !ok || pw != p {
		return rotation.Classify(rotation.ErrAuth, fmt.Sprintf("memory: log in as %q", u), nil)
	}
	return nil
}

// memoryStrategy is single-user rotation against memoryTarget.
type memoryStrategy struct{ t *memoryTarget }

func (memoryStrategy) Name() string { return "memory" }

func (m memoryStrategy) Create(ctx context.Context, req *rotation.Request) (rotation.Secret, error) {
	pw, err := req.NewPassword(ctx)
	if err != nil {
		return nil, err
	}
	return req.Current.With(map[string]any{"password": pw}), nil
}

func (m memoryStrategy) Set(_ context.Context, req *rotation.Request) error {
	if m.t.login(req.Pending) == nil {
		return nil
	}
	if err := m.t.login(req.Current); err != nil {
		return err
	}
	u, _ := req.Current.String("username")
	p, _ := req.Pending.String("password")
	m.t.mu.Lock()
	m.t.users[u] = p
	m.t.mu.Unlock()
	return nil
}

func (m memoryStrategy) Test(_ context.Context, req *rotation.Request) error {
	if err := m.t.login(req.Pending); err != nil {
		return rotation.Classify(rotation.ErrPendingInvalid, "memory: test", err)
	}
	return nil
}

func TestProtocolMatrix(t *testing.T) {
	target := &memoryTarget{users: map[string]string{}, down: map[string]bool{"down.example": true}}
	n := 0
	newSecret := func(host string) func(*testing.T, rotationtest.Client, string) string {
		return func(t *testing.T, _ rotationtest.Client, user string) string {
			target.mu.Lock()
			n++
			u := fmt.Sprintf("%s-%d", user, n)
			target.users[u] = "initial-password"
			target.mu.Unlock()
			s, _ := rotation.Secret{"engine": "memory", "host": host, "username": u, "password": "initial-password"}.Encode()
			return s
		}
	}
	tgt := rotationtest.Target{
		NewSecret:   newSecret("mem.example"),
		Login:       func(_ context.Context, s rotation.Secret) error { return target.login(s) },
		Unreachable: newSecret("down.example"),
		Usernames:   []string{"app", `we"ird 'user`},
	}
	rotationtest.RunMatrix(t, rotationtest.FakeBackend, tgt, func(sm rotation.SecretsManager, log *slog.Logger) *rotation.Rotator {
		return &rotation.Rotator{SM: sm, Log: log, Passwords: rotation.DefaultPasswordPolicy(),
			Select: func(rotation.Secret) (rotation.Strategy, error) { return memoryStrategy{target}, nil }}
	})
}

func TestErrorClass(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("boom"), "Internal"},
		{rotation.Classify(rotation.ErrUnreachable, "dial", errors.New("refused")), "Unreachable"},
		{fmt.Errorf("outer: %w", rotation.ErrTokenNotPending), "TokenNotPending"},
		{rotation.Classify(rotation.ErrPendingInvalid, "test", rotation.Classify(rotation.ErrAuth, "login", nil)), "Auth"},
	} {
		if got := rotation.ErrorClass(tc.err); got != tc.want {
			t.Errorf("ErrorClass(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// The protocol matrix also runs on the local endpoint, through the real SDK.
func TestProtocolMatrixOnEndpoint(t *testing.T) {
	target := &memoryTarget{users: map[string]string{}, down: map[string]bool{"down.example": true}}
	n := 0
	newSecret := func(host string) func(*testing.T, rotationtest.Client, string) string {
		return func(t *testing.T, _ rotationtest.Client, user string) string {
			target.mu.Lock()
			n++
			u := fmt.Sprintf("%s-%d", user, n)
			target.users[u] = "initial-password"
			target.mu.Unlock()
			s, _ := rotation.Secret{"engine": "memory", "host": host, "username": u, "password": "initial-password"}.Encode()
			return s
		}
	}
	tgt := rotationtest.Target{
		NewSecret:   newSecret("mem.example"),
		Login:       func(_ context.Context, s rotation.Secret) error { return target.login(s) },
		Unreachable: newSecret("down.example"),
		Usernames:   []string{"app"},
	}
	rotationtest.RunMatrix(t, rotationtest.EndpointBackend, tgt, func(sm rotation.SecretsManager, log *slog.Logger) *rotation.Rotator {
		return &rotation.Rotator{SM: sm, Log: log, Passwords: rotation.DefaultPasswordPolicy(),
			Select: func(rotation.Secret) (rotation.Strategy, error) { return memoryStrategy{target}, nil }}
	})
}
