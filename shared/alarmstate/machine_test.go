package alarmstate

import (
	"testing"
	"time"

	"github.com/keyward/keyward/shared/rules"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func win(i int) Window {
	return Window{t0.Add(time.Duration(i) * 5 * time.Minute), t0.Add(time.Duration(i+1) * 5 * time.Minute)}
}

func finding(st rules.State, sev rules.Severity) rules.Finding {
	return rules.Finding{Rule: "decrypt-spike", Resource: "key/1", State: st, Severity: sev, Reason: "r",
		Evidence: rules.Evidence{Count: 1}}
}

// run applies a sequence of states, one window each, publishing every
// notification at once; it returns the kinds sent per window.
func run(t *testing.T, p Policy, states ...rules.State) []Kind {
	t.Helper()
	var cur *Alarm
	var sent []Kind
	for i, st := range states {
		w := win(i)
		d := Step(cur, finding(st, rules.SeverityHigh), w, w.End, p)
		if d.Notify != "" {
			d.Next = Notified(d.Next, w.End)
		}
		sent = append(sent, d.Notify)
		if d.Write {
			n := d.Next
			cur = &n
		}
	}
	return sent
}

func TestStepTransitions(t *testing.T) {
	A, O, I := rules.StateAlarm, rules.StateOK, rules.StateInsufficientData
	tests := []struct {
		name   string
		states []rules.State
		want   []Kind
		policy Policy
	}{
		{"fires once, dedupes while standing", []rules.State{O, A, A, A}, []Kind{"", KindAlarm, "", ""}, Policy{}},
		{"resolves", []rules.State{A, A, O, O}, []Kind{KindAlarm, "", KindResolved, ""}, Policy{}},
		{"re-notifies after the interval", []rules.State{A, A, A, A, A}, []Kind{KindAlarm, "", KindReminder, "", KindReminder}, Policy{Renotify: 10 * time.Minute}},
		{"insufficient data is silent", []rules.State{I, I, O, I, A, I}, []Kind{"", "", "", "", KindAlarm, ""}, Policy{}},
		{"flapping notifies each transition", []rules.State{A, O, A}, []Kind{KindAlarm, KindResolved, KindAlarm}, Policy{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, tc.policy, tc.states...)
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Fatalf("window %d: sent %q, want %q (all %q)", i, got[i], tc.want[i], got)
				}
			}
		})
	}
}

func TestStepIdempotentPerWindow(t *testing.T) {
	d := Step(nil, finding(rules.StateAlarm, rules.SeverityHigh), win(0), win(0).End, DefaultPolicy())
	if !d.Write || d.Notify != KindAlarm || d.Next.NotifyPending != KindAlarm {
		t.Fatalf("first: %+v", d)
	}
	prev := Notified(d.Next, win(0).End)
	again := Step(&prev, finding(rules.StateOK, rules.SeverityHigh), win(0), win(0).End.Add(time.Hour), DefaultPolicy())
	if again.Write || again.Notify != "" || again.Next.State != rules.StateAlarm {
		t.Fatalf("same window re-evaluated changed state: %+v", again)
	}
	older := Step(&prev, finding(rules.StateOK, rules.SeverityHigh), Window{t0.Add(-time.Hour), t0}, t0, DefaultPolicy())
	if older.Write || older.Notify != "" {
		t.Fatalf("older window applied: %+v", older)
	}
}

func TestStepKeepsSinceAndEscalates(t *testing.T) {
	d := Step(nil, finding(rules.StateAlarm, rules.SeverityMedium), win(0), win(0).End, Policy{})
	a := Notified(d.Next, win(0).End)
	d2 := Step(&a, finding(rules.StateAlarm, rules.SeverityMedium), win(1), win(1).End, Policy{})
	if !d2.Next.Since.Equal(win(0).End) || d2.Notify != "" || !d2.Write {
		t.Fatalf("standing alarm: since %v notify %q write %v", d2.Next.Since, d2.Notify, d2.Write)
	}
	b := d2.Next
	d3 := Step(&b, finding(rules.StateAlarm, rules.SeverityCritical), win(2), win(2).End, Policy{})
	if d3.Notify != KindAlarm {
		t.Fatalf("escalation to critical not notified: %+v", d3)
	}
}

func TestNeverSeenOKWritesNothing(t *testing.T) {
	d := Step(nil, finding(rules.StateOK, rules.SeverityHigh), win(0), win(0).End, DefaultPolicy())
	if d.Write || d.Notify != "" {
		t.Fatalf("%+v", d)
	}
}

func TestSubjectAndShortResource(t *testing.T) {
	m := Message{Kind: KindAlarm, Rule: "decrypt-spike", Severity: rules.SeverityCritical,
		Resource: "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-1111-4111-8111-111111111111"}
	if got, want := m.Subject(), "[CRITICAL] ALARM decrypt-spike: key/1111aaaa-1111-4111-8111-111111111111"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	m.Kind, m.Resource = KindResolved, "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"
	if got, want := m.Subject(), "[RESOLVED] decrypt-spike: prod/db-AbCdEf"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	m.Resource = string(make([]byte, 300))
	if s := m.Subject(); len(s) > 100 {
		t.Errorf("subject too long: %d", len(s))
	}
}
