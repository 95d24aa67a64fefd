package alarmstate_test

import (
	"fmt"
	"time"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
)

// A rule fires, stands, then resolves: one ALARM and one RESOLVED message.
func ExampleStep() {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var cur *alarmstate.Alarm
	for i, st := range []rules.State{rules.StateAlarm, rules.StateAlarm, rules.StateOK} {
		w := alarmstate.Window{Start: start.Add(time.Duration(i) * 5 * time.Minute), End: start.Add(time.Duration(i+1) * 5 * time.Minute)}
		f := rules.Finding{Rule: "decrypt-spike", Resource: "key/1", State: st, Severity: rules.SeverityHigh, Reason: "r"}
		d := alarmstate.Step(cur, f, w, w.End, alarmstate.DefaultPolicy())
		if d.Notify != "" {
			d.Next = alarmstate.Notified(d.Next, w.End)
		}
		next := d.Next
		cur = &next
		fmt.Printf("%s write=%v notify=%q\n", next.State, d.Write, d.Notify)
	}
	// Output:
	// ALARM write=true notify="ALARM"
	// ALARM write=true notify=""
	// OK write=true notify="RESOLVED"
}

func ExampleMessage_Subject() {
	m := alarmstate.Message{Kind: alarmstate.KindAlarm, Rule: "policy-change", Severity: rules.SeverityCritical,
		Resource: "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"}
	fmt.Println(m.Subject())
	// Output: [CRITICAL] ALARM policy-change: prod/db-AbCdEf
}
