package rules

import (
	"fmt"
	"slices"
)

// evaluateBaseline compares each resource's hour-to-date count of one operation
// with Factor × the mean of the same hour of week in past weeks. With fewer than
// MinWeeks weeks of history the resource is INSUFFICIENT_DATA (warm-up).
func evaluateBaseline(id string, sev Severity, c BaselineConfig, s *Snapshot) []Finding {
	var keys []ResourceOp
	for k := range s.Hourly {
		if k.Operation == c.Operation {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b ResourceOp) int {
		switch {
		case a.Resource < b.Resource:
			return -1
		case a.Resource > b.Resource:
			return 1
		}
		return 0
	})
	var out []Finding
	for _, k := range keys {
		h := s.Hourly[k]
		if h.Current == 0 {
			continue
		}
		if len(h.PastWeeks) < c.MinWeeks {
			out = append(out, Finding{Rule: id, Resource: k.Resource, State: StateInsufficientData, Severity: sev,
				Reason:   fmt.Sprintf("baseline warming up: %d of %d weeks", len(h.PastWeeks), c.MinWeeks),
				Evidence: Evidence{Count: h.Current}})
			continue
		}
		var sum int64
		for _, w := range h.PastWeeks {
			sum += w
		}
		base := float64(sum) / float64(len(h.PastWeeks))
		limit := c.Factor * max(base, 1)
		if h.Current < c.MinCount || float64(h.Current) <= limit {
			// Explicit OK: ends a warm-up INSUFFICIENT_DATA (costs no write when
			// the alarm is already OK or was never stored).
			out = append(out, Finding{Rule: id, Resource: k.Resource, State: StateOK, Severity: sev,
				Reason:   fmt.Sprintf("%d %s this hour, within %.0f× the baseline of %.0f", h.Current, c.Operation, c.Factor, base),
				Evidence: Evidence{Count: h.Current, Baseline: base, Threshold: limit}})
			continue
		}
		out = append(out, Finding{Rule: id, Resource: k.Resource, State: StateAlarm, Severity: sev,
			Reason: fmt.Sprintf("%d %s this hour, %.1f× the same hour's baseline of %.0f",
				h.Current, c.Operation, float64(h.Current)/max(base, 1), base),
			Evidence: Evidence{Count: h.Current, Baseline: base, Threshold: limit}})
	}
	return out
}

// DecryptAnomaly fires when a key's Decrypt count this hour exceeds k× its
// baseline for the same hour of week.
type DecryptAnomaly struct{ Config BaselineConfig }

// Meta describes the rule.
func (DecryptAnomaly) Meta() Meta {
	return Meta{
		ID: "decrypt-anomaly", Title: "Decrypt volume above the key's baseline",
		Severity: SeverityMedium, Controls: []string{"seeds: excessive key usage"},
		Runbook: "Compare with deploys and batch jobs for this hour; check which principals grew.",
	}
}

// Evaluate compares hour-to-date with the baseline.
func (r DecryptAnomaly) Evaluate(s *Snapshot) []Finding {
	return evaluateBaseline(r.Meta().ID, SeverityMedium, r.Config, s)
}

// SecretReads fires when a secret's GetSecretValue count this hour exceeds k×
// its baseline for the same hour of week.
type SecretReads struct{ Config BaselineConfig }

// Meta describes the rule.
func (SecretReads) Meta() Meta {
	return Meta{
		ID: "secret-read-anomaly", Title: "Secret read volume above baseline",
		Severity: SeverityMedium, Controls: []string{"seeds: Secrets Retrieved — compare to baseline"},
		Runbook: "Look for a client without a secrets cache or a credential being harvested; check the principals.",
	}
}

// Evaluate compares hour-to-date with the baseline.
func (r SecretReads) Evaluate(s *Snapshot) []Finding {
	return evaluateBaseline(r.Meta().ID, SeverityMedium, r.Config, s)
}
