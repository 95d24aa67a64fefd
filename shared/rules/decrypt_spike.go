package rules

import (
	"fmt"
	"slices"
)

// DecryptSpike fires when one key sees more than Threshold calls of the
// configured operations in one window (seed: "> 10,000 requests in 5 minutes").
type DecryptSpike struct{ Config SpikeConfig }

// Meta describes the rule.
func (DecryptSpike) Meta() Meta {
	return Meta{
		ID: "decrypt-spike", Title: "Decrypt spike on a KMS key",
		Severity: SeverityHigh, Controls: []string{"seeds: >10,000 requests in 5 minutes"},
		Runbook: "Check the top principals and sources in the evidence; a new caller or a loop without a data-key cache is the usual cause.",
	}
}

// Evaluate sums the window's counters per key.
func (r DecryptSpike) Evaluate(s *Snapshot) []Finding {
	var g groups
	for _, u := range s.Usage {
		if !slices.Contains(r.Config.Operations, u.Operation) {
			continue
		}
		c := g.get(u.Resource)
		c.ev.Count += u.Count
		c.addPrincipal(u.Principal)
		c.addSource(u.Source)
	}
	var out []Finding
	for _, k := range g.sorted() {
		ev := g.by[k].evidence()
		if ev.Count <= r.Config.Threshold {
			continue
		}
		ev.Threshold = float64(r.Config.Threshold)
		out = append(out, Finding{Rule: r.Meta().ID, Resource: k, State: StateAlarm, Severity: SeverityHigh,
			Reason: fmt.Sprintf("%d %s calls in %s (threshold %d)", ev.Count,
				joinOps(r.Config.Operations), s.End.Sub(s.Start), r.Config.Threshold),
			Evidence: ev})
	}
	return out
}

func joinOps(ops []string) string {
	if len(ops) == 1 {
		return ops[0]
	}
	return fmt.Sprint(ops)
}
