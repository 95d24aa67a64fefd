package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
)

func next(w alarmstate.Window, n int) alarmstate.Window {
	d := time.Duration(n) * 5 * time.Minute
	return alarmstate.Window{Start: w.Start.Add(d), End: w.End.Add(d)}
}

func kinds(ms []alarmstate.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Kind)+" "+m.Rule)
	}
	return out
}

// A windowed alarm fires once, is not repeated while it stands or when the same
// window is evaluated again, and resolves with one RESOLVED message.
func TestDedupeAndResolve(t *testing.T) {
	e := newEnv(t, nil)
	e.ingest(load(t, "eventbridge-kms-error-pendingdeletion").at(min_(1), "p1"),
		load(t, "eventbridge-kms-error-pendingdeletion").at(min_(6), "p2"))

	e.evaluate(win, win.End)
	if got := kinds(e.sent.take()); len(got) != 1 || got[0] != "ALARM key-pending-deletion-use" {
		t.Fatalf("first window sent %v", got)
	}
	e.evaluate(win, win.End.Add(time.Minute)) // the same window again (retry)
	if got := e.sent.take(); len(got) != 0 {
		t.Fatalf("re-evaluating a window sent %v", kinds(got))
	}
	w2 := next(win, 1)
	e.evaluate(w2, w2.End) // still failing: standing alarm, no message
	if got := e.sent.take(); len(got) != 0 {
		t.Fatalf("standing alarm sent %v", kinds(got))
	}
	a := e.state("key-pending-deletion-use", keyA)
	if a.State != rules.StateAlarm || !a.Since.Equal(win.End) || !a.LastEvaluated.Equal(w2.End) || a.Evidence.Count != 1 {
		t.Fatalf("standing alarm state %+v", a)
	}
	w3 := next(win, 2)
	e.evaluate(w3, w3.End) // quiet window: resolved
	got := e.sent.take()
	if len(got) != 1 || got[0].Kind != alarmstate.KindResolved || got[0].PreviousState != rules.StateAlarm {
		t.Fatalf("resolve sent %+v", got)
	}
	if s := got[0].Subject(); s != "[RESOLVED] key-pending-deletion-use: key/1234abcd-12ab-34cd-56ef-1234567890ab" {
		t.Errorf("subject %q", s)
	}
	if a := e.state("key-pending-deletion-use", keyA); a.State != rules.StateOK || a.NotifyPending != "" {
		t.Fatalf("after resolve %+v", a)
	}
	open, _ := e.ev.Alarms.Open(t.Context())
	for _, a := range open {
		if a.Rule == "key-pending-deletion-use" {
			t.Fatalf("resolved alarm still open: %+v", a)
		}
	}
}

// A latched alarm (key disabled) stays in ALARM through quiet windows, sends a
// REMINDER after the re-notify interval and resolves on EnableKey.
func TestLatchedRenotifyAndResolve(t *testing.T) {
	e := newEnv(t, nil)
	e.ev.Policy = alarmstate.Policy{Renotify: 10 * time.Minute}
	e.ingest(load(t, "eventbridge-kms-disablekey").at(min_(1), "d1"),
		load(t, "eventbridge-kms-enablekey").at(min_(16), "d2"))
	var sent [][]string
	for i := range 4 {
		w := next(win, i)
		e.evaluate(w, w.End)
		sent = append(sent, kinds(e.sent.take()))
	}
	want := [][]string{{"ALARM key-disabled"}, nil, {"REMINDER key-disabled"}, {"RESOLVED key-disabled"}}
	if fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
}

// A failed publish is retried on the next run, and only once it succeeds is the
// alarm marked notified.
func TestNotificationRetriedAfterFailure(t *testing.T) {
	e := newEnv(t, nil)
	e.ingest(load(t, "eventbridge-secretsmanager-deletesecret").at(min_(1), "x1"))
	e.sent.fail = true
	res := e.evaluate(win, win.End)
	if res.NotifyFails != 1 {
		t.Fatalf("notify failures %d", res.NotifyFails)
	}
	if a := e.state("deletion", secretA); a.NotifyPending != alarmstate.KindAlarm {
		t.Fatalf("pending not kept: %+v", a)
	}
	e.sent.fail = false
	e.evaluate(win, win.End.Add(time.Minute)) // retry of the same window
	if got := kinds(e.sent.take()); len(got) != 1 || got[0] != "ALARM deletion" {
		t.Fatalf("retry sent %v", got)
	}
	if a := e.state("deletion", secretA); a.NotifyPending != "" || a.LastNotified.IsZero() {
		t.Fatalf("after retry %+v", a)
	}
}
