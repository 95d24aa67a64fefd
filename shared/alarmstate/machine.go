package alarmstate

import (
	"slices"
	"time"

	"github.com/keyward/keyward/shared/rules"
)

// Alarm is the state of one rule on one resource.
type Alarm struct {
	Rule          string
	Resource      string
	State         rules.State
	Severity      rules.Severity
	Reason        string
	Since         time.Time // when State was entered
	LastEvaluated time.Time
	Window        Window // the last window evaluated
	LastNotified  time.Time
	// NotifyPending is the kind of a notification decided but not yet published
	// (empty when none); the evaluator retries it on the next run.
	NotifyPending Kind
	Evidence      rules.Evidence
}

// Key identifies an alarm.
type Key struct{ Rule, Resource string }

// Key returns the alarm's key.
func (a Alarm) Key() Key { return Key{a.Rule, a.Resource} }

// Open says whether the alarm belongs in the open-alarms index: in ALARM (a
// later evaluation must resolve or hold it) or with a notification to retry.
// INSUFFICIENT_DATA is not open: a resource without data costs no read, and
// when data comes the rule's finding is matched to the stored state by key.
func (a Alarm) Open() bool { return a.State == rules.StateAlarm || a.NotifyPending != "" }

// Window is an evaluation window [Start, End).
type Window struct{ Start, End time.Time }

// Kind is the kind of a notification.
type Kind string

// Notification kinds.
const (
	KindAlarm    Kind = "ALARM"    // entered ALARM, or escalated while in ALARM
	KindResolved Kind = "RESOLVED" // left ALARM for OK
	KindReminder Kind = "REMINDER" // still in ALARM after the re-notify interval
)

// Policy configures notifications.
type Policy struct {
	// Renotify re-sends a standing ALARM after this long (0: never).
	Renotify time.Duration
}

// DefaultPolicy re-notifies a standing alarm once a day.
func DefaultPolicy() Policy { return Policy{Renotify: 24 * time.Hour} }

// Decision is the outcome of one Step.
type Decision struct {
	Next   Alarm
	Write  bool // the stored alarm must change
	Notify Kind // empty: nothing to send
	From   rules.State
}

// Step applies finding f for window w to prev (nil: never seen, i.e. OK).
func Step(prev *Alarm, f rules.Finding, w Window, now time.Time, p Policy) Decision {
	from := rules.StateOK
	if prev != nil {
		from = prev.State
		if !prev.Window.End.Before(w.End) {
			// This window (or a later one) was already applied: idempotent.
			return Decision{Next: *prev, From: from}
		}
	}
	next := Alarm{Rule: f.Rule, Resource: f.Resource, State: f.State, Severity: f.Severity,
		Reason: f.Reason, Since: w.End, LastEvaluated: now, Window: w, Evidence: f.Evidence}
	if prev != nil {
		next.LastNotified = prev.LastNotified
		next.NotifyPending = prev.NotifyPending
		if prev.State == f.State {
			next.Since = prev.Since
		}
	}
	d := Decision{Next: next, From: from}
	switch {
	case from == f.State && f.State == rules.StateAlarm:
		d.Write = true // refresh evidence and last evaluated
		switch {
		case more(f.Severity, prev.Severity):
			d.Notify = KindAlarm
		case p.Renotify > 0 && now.Sub(prev.LastNotified) >= p.Renotify:
			d.Notify = KindReminder
		}
	case from == f.State:
		// OK or INSUFFICIENT_DATA unchanged: nothing to store.
	case f.State == rules.StateAlarm:
		d.Write, d.Notify = true, KindAlarm
	case from == rules.StateAlarm && f.State == rules.StateOK:
		d.Write, d.Notify = true, KindResolved
	default:
		// OK↔INSUFFICIENT_DATA, ALARM→INSUFFICIENT_DATA: stored, not sent.
		d.Write = prev != nil || f.State != rules.StateOK
	}
	if d.Notify != "" {
		d.Next.NotifyPending = d.Notify
	}
	return d
}

// Resolve is the finding that ends an open alarm whose windowed rule no longer
// fires for the resource.
func Resolve(a Alarm, w Window) rules.Finding {
	return rules.Finding{Rule: a.Rule, Resource: a.Resource, State: rules.StateOK, Severity: a.Severity,
		Reason: "no longer observed in window " + w.Start.UTC().Format(time.RFC3339) + " – " + w.End.UTC().Format(time.RFC3339)}
}

// Notified returns a after its pending notification was published at t.
func Notified(a Alarm, t time.Time) Alarm {
	a.NotifyPending = ""
	a.LastNotified = t
	return a
}

// more reports whether a is more urgent than b.
func more(a, b rules.Severity) bool {
	ia, ib := slices.Index(rules.Severities, a), slices.Index(rules.Severities, b)
	return ia >= 0 && (ib < 0 || ia < ib)
}

// Hold is the finding that keeps a latched alarm in its state for window w when
// the rule saw nothing new (its evidence is carried over); Step then refreshes
// it and sends the reminder when due.
func Hold(a Alarm) rules.Finding {
	return rules.Finding{Rule: a.Rule, Resource: a.Resource, State: a.State, Severity: a.Severity,
		Reason: a.Reason, Evidence: a.Evidence}
}
