package rules

import (
	"fmt"
	"strings"
)

// PendingDeletionUse fires, critical, when something still calls a key that is
// pending deletion (KMSInvalidStateException "… is pending deletion."): once the
// waiting period ends, that caller's data is unrecoverable.
type PendingDeletionUse struct{ Config CountConfig }

// Meta describes the rule.
func (PendingDeletionUse) Meta() Meta {
	return Meta{
		ID: "key-pending-deletion-use", Title: "Use of a KMS key pending deletion",
		Severity: SeverityCritical, Controls: []string{"KMS.3"},
		Runbook: "CancelKeyDeletion now, then find the callers in the evidence and migrate them before deleting again.",
	}
}

// Evaluate counts pending-deletion failures per key.
func (r PendingDeletionUse) Evaluate(s *Snapshot) []Finding {
	var g groups
	for _, e := range s.Events {
		if e.ErrorCode != "KMSInvalidStateException" || !strings.Contains(e.ErrorMessage, "pending deletion") {
			continue
		}
		res := e.Resource()
		if res == "" {
			res = e.Principal
		}
		g.get(res).addEvent(e)
	}
	var out []Finding
	for _, k := range g.sorted() {
		ev := g.by[k].evidence()
		if ev.Count <= r.Config.Threshold {
			continue
		}
		ev.Threshold = float64(r.Config.Threshold)
		out = append(out, Finding{Rule: r.Meta().ID, Resource: k, State: StateAlarm, Severity: SeverityCritical,
			Reason: fmt.Sprintf("%d call(s) to a key pending deletion", ev.Count), Evidence: ev})
	}
	return out
}
