package keyops

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/keyward/keyward/shared/table"
)

// Actions of the authorization policy. Key actions apply to key aliases, secret
// actions to secret names; audit:read applies to either.
const (
	ActEncrypt        = "encrypt"
	ActDecrypt        = "decrypt"
	ActRewrap         = "rewrap" // needed on the source and the destination key
	ActDatakey        = "datakey"
	ActKeyCreate      = "key:create"
	ActKeyRead        = "key:read"
	ActKeyRotate      = "key:rotate"
	ActKeyDisable     = "key:disable"
	ActKeyEnable      = "key:enable"
	ActKeyDelete      = "key:schedule-deletion"
	ActKeyCancel      = "key:cancel-deletion"
	ActGrantCreate    = "grant:create"
	ActGrantList      = "grant:list"
	ActGrantRevoke    = "grant:revoke"
	ActSecretRead     = "secret:read"
	ActSecretWrite    = "secret:write"
	ActSecretRotate   = "secret:rotate"
	ActSecretVersions = "secret:versions"
	ActAuditRead      = "audit:read"
)

// resource kinds an action applies to
const (
	resKey    = "key"    // Decide kind of key aliases
	resSecret = "secret" // Decide kind of secret names
)

// Decide is the policy evaluation: deny by default; a statement allows an action
// (exact, "*", or a "prefix:*" family) on a resource of its kind whose name matches
// one of its patterns (exact, "*", or "prefix*").
func Decide(p table.PolicyItem, action, kind, name string) bool {
	for _, st := range p.Statements {
		if !matchAny(st.Actions, action, matchAction) {
			continue
		}
		switch kind {
		case resKey:
			if matchAny(st.Keys, name, matchName) {
				return true
			}
		case resSecret:
			if matchAny(st.SecretPrefixes, name, matchPrefix) {
				return true
			}
		}
	}
	return false
}

func matchAny(patterns []string, v string, f func(p, v string) bool) bool {
	for _, p := range patterns {
		if f(p, v) {
			return true
		}
	}
	return false
}

func matchAction(p, a string) bool {
	if p == "*" || p == a {
		return true
	}
	fam, ok := strings.CutSuffix(p, ":*")
	return ok && strings.HasPrefix(a, fam+":")
}

func matchName(p, n string) bool {
	if pre, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(n, pre)
	}
	return p == n
}

// secret patterns are prefixes ("app/" matches "app/db"); a trailing "*" is allowed.
func matchPrefix(p, n string) bool {
	return p != "" && strings.HasPrefix(n, strings.TrimSuffix(p, "*"))
}

// policy returns the cached policy of a principal.
func (h *Handler) policy(ctx context.Context, principal string) (table.PolicyItem, bool, error) {
	if p, found, ok := h.policies.get(principal); ok {
		return p, found, nil
	}
	p, found, err := h.store.GetPolicy(ctx, principal)
	if err != nil {
		return p, false, fmt.Errorf("read policy: %w", err)
	}
	h.policies.put(principal, p, found)
	return p, found, nil
}

// authorize decides whether the caller may do action on a resource, logs and counts
// the decision, and returns a 403 error when denied.
func (h *Handler) authorize(ctx context.Context, r *request, action, kind, name string) error {
	p, _, err := h.policy(ctx, r.principal)
	if err != nil {
		return err
	}
	allowed := Decide(p, action, kind, name)
	h.log.LogAttrs(ctx, slog.LevelInfo, "authz decision",
		slog.String("principal", r.principal), slog.String("action", action),
		slog.String("resource", kind+":"+name), slog.Bool("allowed", allowed),
		slog.String("apiRequestId", r.requestID))
	h.metrics.decision(action, allowed)
	if !allowed {
		return forbidden("%s is not allowed to %s on %s %q", r.principal, action, kind, name)
	}
	r.action, r.resource, r.authorized = action, kind+":"+name, true
	return nil
}

// SeedPolicies writes the configured policies (JSON: principal ARN → statements)
// to the table with BatchWriteItem.
func (h *Handler) SeedPolicies(ctx context.Context, policies map[string][]table.AuthzStatement) error {
	var items []table.PolicyItem
	now := h.cfg.Now()
	for principal, sts := range policies {
		items = append(items, table.NewPolicyItem(principal, sts, now))
		h.policies.forget(principal)
	}
	return h.store.SeedPolicies(ctx, items)
}
