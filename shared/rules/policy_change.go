package rules

import (
	"fmt"
	"slices"
	"strings"
)

// PolicyChange fires on key policy and grant changes (PutKeyPolicy, CreateGrant)
// and secret resource-policy changes (PutResourcePolicy); critical when the new
// policy or grant reaches another account or "*" (KMS.5).
type PolicyChange struct {
	Account string   // owning account
	Trusted []string // other accounts that are not critical
}

// Meta describes the rule.
func (PolicyChange) Meta() Meta {
	return Meta{
		ID: "policy-change", Title: "Key policy, grant or secret policy changed",
		Severity: SeverityMedium, Controls: []string{"KMS.5", "seeds: changes to key policies or secret configurations"},
		Runbook: "Diff the policy against the approved version; revoke grants or restore the policy if the change was not approved.",
	}
}

var policyEvents = map[string]bool{
	"PutKeyPolicy": true, "CreateGrant": true, "PutResourcePolicy": true, "DeleteResourcePolicy": true,
}

// Evaluate classifies each change in the window.
func (r PolicyChange) Evaluate(s *Snapshot) []Finding {
	var g groups
	sev := map[string]Severity{}
	for _, e := range sortEvents(s.Events) {
		if !policyEvents[e.Name] || e.ErrorCode != "" || e.Resource() == "" {
			continue
		}
		res := e.Resource()
		c := g.get(res)
		c.addEvent(e)
		c.detail("lastEvent", e.Name)
		level := SeverityMedium
		switch e.Name {
		case "CreateGrant":
			if a := AccountOf(e.Grantee); a != "" && r.foreign(a) {
				level = SeverityCritical
				c.detail("grantee", e.Grantee)
			}
		case "PutKeyPolicy", "PutResourcePolicy":
			x, err := AnalyzePolicy(e.Policy, r.Account)
			if err != nil {
				if e.Policy != "" {
					level = SeverityHigh
					c.detail("policy", "unparseable")
				}
				break
			}
			var foreign []string
			for _, a := range x.Accounts {
				if r.foreign(a) {
					foreign = append(foreign, a)
				}
			}
			if x.Public {
				level = SeverityCritical
				c.detail("public", "true")
			}
			if len(foreign) > 0 {
				level = SeverityCritical
				c.detail("accounts", strings.Join(foreign, ","))
			}
		}
		if rank(level) < rank(sev[res]) || sev[res] == "" {
			sev[res] = level
		}
	}
	var out []Finding
	for _, k := range g.sorted() {
		ev := g.by[k].evidence()
		reason := fmt.Sprintf("%d policy/grant change(s), last %s", ev.Count, ev.Details["lastEvent"])
		if sev[k] == SeverityCritical {
			reason += ": grants access outside the account"
		}
		out = append(out, Finding{Rule: r.Meta().ID, Resource: k, State: StateAlarm, Severity: sev[k],
			Reason: reason, Evidence: ev})
	}
	return out
}

func (r PolicyChange) foreign(account string) bool {
	return account != r.Account && !slices.Contains(r.Trusted, account)
}

// rank orders severities, 0 most urgent.
func rank(s Severity) int {
	if i := slices.Index(Severities, s); i >= 0 {
		return i
	}
	return len(Severities)
}
