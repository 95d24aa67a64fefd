package apikey

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	"github.com/keyward/keyward/shared/rotation"
)

// Options configure the strategy.
type Options struct {
	// RevokeGrace is how long the previous key keeps working after AWSCURRENT
	// moved, so callers holding a cached value finish; a secret's
	// "revokegraceseconds" overrides it. The wait is capped by the invocation's
	// deadline (keep the function timeout above the grace).
	RevokeGrace time.Duration
	RootCAs     *x509.CertPool // nil: system roots
	Timeout     time.Duration  // per request; 0: 10s
	// Sleep waits for the grace; nil: a timer honouring ctx (tests replace it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Strategy rotates API keys.
type Strategy struct {
	o Options
}

// New returns the API-key strategy.
func New(o Options) *Strategy {
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return &Strategy{o: o}
}

var _ rotation.Finisher = (*Strategy)(nil)

// Name implements rotation.Strategy.
func (*Strategy) Name() string { return "apikey" }

// Create implements rotation.Strategy: mint a key at the provider. The token is
// sent as Idempotency-Key, so a createSecret retried after a crash between the
// mint and PutSecretValue does not mint twice at providers that honour it.
func (s *Strategy) Create(ctx context.Context, req *rotation.Request) (rotation.Secret, error) {
	cfg, err := parse(req.Current)
	if err != nil {
		return nil, err
	}
	admin, err := s.credential(ctx, req, cfg)
	if err != nil {
		return nil, err
	}
	var out struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	if err := s.call(ctx, cfg, http.MethodPost, cfg.createURL, admin, map[string]string{"Idempotency-Key": req.Token}, &out); err != nil {
		return nil, fmt.Errorf("apikey: create: %w", err)
	}
	if out.ID == "" || out.Key == "" {
		return nil, fmt.Errorf("apikey: create: %w: response lacks id or key", rotation.ErrTarget)
	}
	return req.Current.With(map[string]any{"keyid": out.ID, "apikey": out.Key}), nil
}

// Set implements rotation.Strategy: nothing to do, the provider issued the key
// active; testSecret proves it.
func (*Strategy) Set(context.Context, *rotation.Request) error { return nil }

// Test implements rotation.Strategy: the pending key authenticates.
func (s *Strategy) Test(ctx context.Context, req *rotation.Request) error {
	cfg, err := parse(req.Pending)
	if err != nil {
		return err
	}
	if cfg.key == "" {
		return fmt.Errorf("%w: pending secret has no apikey", rotation.ErrSecretFormat)
	}
	if err := s.call(ctx, cfg, http.MethodGet, cfg.testURL, cfg.key, nil, nil); err != nil {
		return rotation.Classify(rotation.ErrPendingInvalid, "apikey: test AWSPENDING", err)
	}
	return nil
}

// Finish implements rotation.Finisher: after the grace, revoke the key of the
// version AWSCURRENT left (now AWSPREVIOUS). A key the provider no longer knows
// counts as revoked, so redelivery is harmless.
func (s *Strategy) Finish(ctx context.Context, req *rotation.Request) error {
	prev, err := req.Previous(ctx)
	if err != nil || prev == nil {
		return err
	}
	cur, err := parse(req.Current)
	if err != nil {
		return err
	}
	old, err := parse(prev)
	if err != nil {
		return fmt.Errorf("AWSPREVIOUS: %w", err)
	}
	if old.keyID == "" || old.keyID == cur.keyID {
		return nil // a key set by hand before keyward managed it has no id to revoke
	}
	grace := s.o.RevokeGrace
	if cur.grace != nil {
		grace = *cur.grace
	}
	if dl, ok := ctx.Deadline(); ok {
		grace = min(grace, time.Until(dl)-2*s.o.Timeout)
	}
	if grace > 0 {
		if err := s.o.Sleep(ctx, grace); err != nil {
			return fmt.Errorf("apikey: grace before revoke: %w", err)
		}
	}
	admin, err := s.credential(ctx, req, cur)
	if err != nil {
		return err
	}
	if err := s.call(ctx, cur, http.MethodDelete, cur.revokeURLFor(old.keyID), admin, nil, nil); err != nil {
		return fmt.Errorf("apikey: revoke previous key %q: %w", old.keyID, err)
	}
	return nil
}

func (s *Strategy) credential(ctx context.Context, req *rotation.Request, cfg config) (string, error) {
	cred, err := req.ReadCurrent(ctx, cfg.credentialARN)
	if err != nil {
		return "", fmt.Errorf("apikey: provider credential: %w", err)
	}
	tok, err := cred.String("token")
	if err != nil || tok == "" {
		return "", fmt.Errorf("apikey: provider credential: %w: no \"token\" field", rotation.ErrSecretFormat)
	}
	return tok, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
