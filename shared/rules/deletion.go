package rules

import (
	"fmt"
	"time"
)

// Deletion fires on DeleteSecret and on DeleteAlias of an alias used within
// AliasInUseFor before the deletion (callers by alias name will now fail).
type Deletion struct{ AliasInUseFor time.Duration }

// Meta describes the rule.
func (Deletion) Meta() Meta {
	return Meta{
		ID: "deletion", Title: "Secret deleted or alias in use deleted",
		Severity: SeverityHigh, Controls: []string{"seeds: disabled or deleted keys and secrets"},
		Runbook: "RestoreSecret within the recovery window / recreate the alias if the deletion was not intended.",
	}
}

// Evaluate checks each deletion of the window.
func (r Deletion) Evaluate(s *Snapshot) []Finding {
	var g groups
	for _, e := range sortEvents(s.Events) {
		if e.ErrorCode != "" {
			continue
		}
		switch e.Name {
		case "DeleteSecret":
			if e.Resource() == "" {
				continue
			}
			c := g.get(e.Resource())
			c.addEvent(e)
			c.detail("lastEvent", e.Name)
		case "DeleteAlias":
			alias := e.Alias
			if alias == "" {
				alias = e.Resource()
			}
			used, ok := s.LastUse[alias]
			if !ok || e.Time.Sub(used) > r.AliasInUseFor {
				continue
			}
			c := g.get(alias)
			c.addEvent(e)
			c.detail("lastEvent", e.Name)
			c.detail("lastUse", used.UTC().Format(time.RFC3339))
		}
	}
	var out []Finding
	for _, k := range g.sorted() {
		ev := g.by[k].evidence()
		reason := "secret deleted"
		if ev.Details["lastEvent"] == "DeleteAlias" {
			reason = fmt.Sprintf("alias in use deleted (last used %s)", ev.Details["lastUse"])
		}
		out = append(out, Finding{Rule: r.Meta().ID, Resource: k, State: StateAlarm, Severity: SeverityHigh,
			Reason: reason, Evidence: ev})
	}
	return out
}
