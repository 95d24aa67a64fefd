package keyops

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/keyward/keyward/shared/table"
)

// Operations recorded as uses of a key (the names CloudTrail gives them).
const (
	OpEncrypt         = "Encrypt"
	OpDecrypt         = "Decrypt"
	OpReEncrypt       = "ReEncrypt"
	OpGenerateDataKey = "GenerateDataKey"
)

// useThrottle remembers when this process last wrote the use record of a key by a
// principal, so that a hot key costs one write per granularity, not one per call.
type useThrottle struct {
	mu   sync.Mutex
	gran time.Duration
	last map[string]time.Time
}

func newUseThrottle(gran time.Duration) *useThrottle {
	return &useThrottle{gran: gran, last: map[string]time.Time{}}
}

// due reports whether a use at now must be written.
func (t *useThrottle) due(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	prev, ok := t.last[key]
	return !ok || now.Sub(prev) >= t.gran || now.Before(prev)
}

func (t *useThrottle) done(key string, at time.Time) {
	t.mu.Lock()
	if len(t.last) > 10000 {
		t.last = map[string]time.Time{}
	}
	t.last[key] = at
	t.mu.Unlock()
}

// recordUse writes keyops' own use record of a key before the cryptographic call,
// attributed to the API caller (CloudTrail sees only keyops' role). A failed write
// fails the request: a use that the deletion guardrail cannot see must not happen.
func (h *Handler) recordUse(ctx context.Context, k table.KeyItem, r *request, op string) error {
	now := h.cfg.Now()
	tk := k.Alias + "\x00" + r.principal
	if !h.uses.due(tk, now) {
		return nil
	}
	keep := h.cfg.guardWindow() + 24*time.Hour
	if err := h.store.PutUse(ctx, table.NewKeyUseItem(k.Alias, k.KeyARN, r.principal, r.caller, op, now, keep)); err != nil {
		return err
	}
	h.uses.done(tk, now)
	return nil
}

// lastUse is the latest use of a key since the guard window began, from the audit
// store (CloudTrail) and from keyops' own records, whichever is later.
func (h *Handler) lastUse(ctx context.Context, k table.KeyItem) (Use, bool, error) {
	since := h.cfg.Now().Add(-h.cfg.guardWindow())
	resources := []string{"alias/" + k.Alias, h.aliasARN(k.Alias)}
	if k.KeyARN != "" {
		resources = append([]string{k.KeyARN}, resources...)
	}
	au, afound, err := h.audit.LastUse(ctx, resources, since)
	if err != nil {
		return Use{}, false, fmt.Errorf("audit last use of %s: %w", k.Alias, err)
	}
	if afound {
		au.Source = "audit"
	}
	ku, kfound, err := h.store.LastUse(ctx, k.Alias)
	if err != nil {
		return Use{}, false, err
	}
	kfound = kfound && !ku.At.Before(since)
	switch {
	case afound && kfound:
		if ku.At.After(au.At) {
			return ku, true, nil
		}
		return au, true, nil
	case afound:
		return au, true, nil
	case kfound:
		return ku, true, nil
	}
	return Use{}, false, nil
}

func (h *Handler) aliasARN(alias string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:alias/%s", h.cfg.Partition, h.cfg.Region, h.cfg.AccountID, alias)
}
