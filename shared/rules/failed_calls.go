package rules

import (
	"fmt"
	"slices"
)

// FailedCalls fires when failed cryptographic calls (AccessDenied,
// InvalidCiphertextException, IncorrectKeyException) exceed a threshold per key
// or per principal in one window.
type FailedCalls struct{ Config FailedConfig }

// Meta describes the rule.
func (FailedCalls) Meta() Meta {
	return Meta{
		ID: "failed-crypto-calls", Title: "Failed cryptographic calls above threshold",
		Severity: SeverityHigh, Controls: []string{"CIS 4.1", "seeds: failed decryption attempts"},
		Runbook: "Check whether the principal should have access; repeated InvalidCiphertext from one caller suggests tampering or probing.",
	}
}

// Evaluate counts failures per key and per principal.
func (r FailedCalls) Evaluate(s *Snapshot) []Finding {
	var byRes, byPrin groups
	for _, e := range s.Events {
		if !slices.Contains(r.Config.ErrorCodes, e.ErrorCode) {
			continue
		}
		if res := e.Resource(); res != "" {
			c := byRes.get(res)
			c.addEvent(e)
			c.detail("lastError", e.ErrorCode)
		}
		if e.Principal != "" {
			c := byPrin.get(e.Principal)
			c.addEvent(e)
			c.detail("lastError", e.ErrorCode)
		}
	}
	var out []Finding
	emit := func(g *groups, limit int64, what string) {
		for _, k := range g.sorted() {
			ev := g.by[k].evidence()
			if ev.Count <= limit {
				continue
			}
			ev.Threshold = float64(limit)
			out = append(out, Finding{Rule: r.Meta().ID, Resource: k, State: StateAlarm, Severity: SeverityHigh,
				Reason:   fmt.Sprintf("%d failed cryptographic calls %s (threshold %d)", ev.Count, what, limit),
				Evidence: ev})
		}
	}
	emit(&byRes, r.Config.PerResource, "on this key")
	emit(&byPrin, r.Config.PerPrincipal, "by this principal")
	return out
}
