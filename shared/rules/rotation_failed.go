package rules

import (
	"slices"
	"time"
)

// RotationFailed fires when a secret's rotation fails (the RotationFailed service
// event or a failed rotation-ledger entry; SecretsManager.2) and stays in ALARM
// until a rotation succeeds.
type RotationFailed struct{}

// Meta describes the rule.
func (RotationFailed) Meta() Meta {
	return Meta{
		ID: "rotation-failed", Title: "Secret rotation failed",
		Severity: SeverityHigh, Controls: []string{"SecretsManager.2"},
		Runbook: "Read the rotation function's logs for the token in the evidence; AWSPENDING may need clearing before RotateSecret is retried.",
		Mode:    Latched,
	}
}

// Evaluate replays rotation outcomes (service events and ledger entries) in
// time order; the last outcome per secret wins.
func (r RotationFailed) Evaluate(s *Snapshot) []Finding {
	type step struct {
		at       time.Time
		secret   string
		failed   bool
		resolves bool // a success that ends a failure
		why      string
		event    *Event
		entry    *LedgerEntry
	}
	var steps []step
	for _, e := range s.Events {
		switch e.Name {
		case "RotationFailed", "RotationAbandoned":
			steps = append(steps, step{at: e.Time, secret: e.Resource(), failed: true, why: e.Name, event: &e})
		case "RotationSucceeded":
			steps = append(steps, step{at: e.Time, secret: e.Resource(), resolves: true, why: e.Name})
		}
	}
	for _, l := range s.Ledger {
		switch {
		case l.Outcome == "failure":
			steps = append(steps, step{at: l.Time, secret: l.SecretARN, failed: true, why: l.Step + " failed", entry: &l})
		case l.Step == "finishSecret":
			steps = append(steps, step{at: l.Time, secret: l.SecretARN, resolves: true, why: "finishSecret succeeded"})
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
	var g groups
	last := map[string]step{}
	for _, st := range steps {
		if st.secret == "" {
			continue
		}
		c := g.get(st.secret)
		c.addTime(st.at)
		switch {
		case st.event != nil:
			c.addEvent(*st.event)
			c.ev.Count-- // addEvent counted it; counted below with ledger failures
		case st.entry != nil:
			c.detail("token", st.entry.Token)
			c.detail("step", st.entry.Step)
			if st.entry.ErrorClass != "" {
				c.detail("errorClass", st.entry.ErrorClass)
			}
		}
		if st.failed {
			c.ev.Count++
		}
		last[st.secret] = st
	}
	var out []Finding
	for _, k := range g.sorted() {
		l := last[k]
		f := Finding{Rule: r.Meta().ID, Resource: k, State: StateOK, Severity: SeverityHigh,
			Reason: "rotation succeeded (" + l.why + ")", Evidence: g.by[k].evidence()}
		if l.failed {
			f.State, f.Reason = StateAlarm, "rotation failed ("+l.why+")"
		}
		out = append(out, f)
	}
	return out
}
