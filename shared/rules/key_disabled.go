package rules

// KeyDisabled fires when a KMS key is disabled or scheduled for deletion (CIS
// 3.7 / 4.7, KMS.3) and stays in ALARM until EnableKey / CancelKeyDeletion.
type KeyDisabled struct{}

// Meta describes the rule.
func (KeyDisabled) Meta() Meta {
	return Meta{
		ID: "key-disabled", Title: "KMS key disabled or scheduled for deletion",
		Severity: SeverityHigh, Controls: []string{"CIS 3.7", "CIS 4.7", "KMS.3"},
		Runbook: "Confirm the change was approved; if not, EnableKey / CancelKeyDeletion and review the caller's permissions.",
		Mode:    Latched,
	}
}

// Evaluate replays the key-state events of the window in time order.
func (r KeyDisabled) Evaluate(s *Snapshot) []Finding {
	type last struct {
		state  State
		reason string
	}
	var g groups
	final := map[string]last{}
	for _, e := range sortEvents(s.Events) {
		if e.Source != "kms.amazonaws.com" || e.ErrorCode != "" || e.Resource() == "" {
			continue
		}
		var l last
		switch e.Name {
		case "DisableKey":
			l = last{StateAlarm, "key disabled"}
		case "ScheduleKeyDeletion":
			l = last{StateAlarm, "key scheduled for deletion"}
		case "EnableKey":
			l = last{StateOK, "key enabled again"}
		case "CancelKeyDeletion":
			l = last{StateOK, "key deletion cancelled"}
		default:
			continue
		}
		c := g.get(e.Resource())
		c.addEvent(e)
		c.detail("lastEvent", e.Name)
		final[e.Resource()] = l
	}
	var out []Finding
	for _, k := range g.sorted() {
		l := final[k]
		out = append(out, Finding{Rule: r.Meta().ID, Resource: k, State: l.state,
			Severity: SeverityHigh, Reason: l.reason, Evidence: g.by[k].evidence()})
	}
	return out
}
