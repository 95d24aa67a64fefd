package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
)

// weekBack is win moved k weeks earlier (the same hour of week).
func weekBack(k int) alarmstate.Window {
	d := time.Duration(k) * 7 * 24 * time.Hour
	return alarmstate.Window{Start: win.Start.Add(-d), End: win.End.Add(-d)}
}

// reads ingests n GetSecretValue calls on secretA in window w (and decrypts on
// keyA when decrypt is set), then evaluates w.
func reads(e *env, w alarmstate.Window, n int, tag string) {
	e.t.Helper()
	e.ingest(many(n, func(i int) fixture {
		return load(e.t, "eventbridge-secretsmanager-getsecretvalue").at(w.Start.Add(time.Duration(i%5)*time.Minute), fmt.Sprintf("%s-s%d", tag, i))
	})...)
	e.ingest(many(n, func(i int) fixture {
		return load(e.t, "eventbridge-kms-decrypt").at(w.Start.Add(time.Duration(i%5)*time.Minute), fmt.Sprintf("%s-d%d", tag, i))
	})...)
	e.evaluate(w, w.End)
}

func TestBaselineRules(t *testing.T) {
	small := func(c *rules.Config) { c.DecryptAnomaly.MinCount = 10 }
	tests := []struct {
		name    string
		history []int // calls in the same window 1, 2, … weeks back
		now     int
		want    rules.State
	}{
		{"fires above k× the same hour of week", []int{20, 30}, 200, rules.StateAlarm},
		{"quiet within k× baseline", []int{20, 30}, 100, ""}, // "": OK or never stored
		{"warm-up: one week of history is insufficient data", []int{20}, 500, rules.StateInsufficientData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, small)
			for k := len(tc.history); k >= 1; k-- {
				reads(e, weekBack(k), tc.history[k-1], fmt.Sprintf("w%d", k))
			}
			e.sent.take()
			reads(e, win, tc.now, "now")
			sent := map[string]bool{}
			for _, m := range e.sent.take() {
				sent[m.Rule+" "+m.Resource] = true
			}
			for _, c := range []struct{ rule, res string }{{"secret-read-anomaly", secretA}, {"decrypt-anomaly", keyA}} {
				a := e.state(c.rule, c.res)
				if a.State != tc.want && !(tc.want == "" && a.State == rules.StateOK) {
					t.Errorf("%s: state %q, want %q (%s)", c.rule, a.State, tc.want, a.Reason)
				}
				if sent[c.rule+" "+c.res] != (tc.want == rules.StateAlarm) {
					t.Errorf("%s: notified %v", c.rule, sent[c.rule+" "+c.res])
				}
				if tc.want == rules.StateAlarm && (a.Evidence.Baseline != 25 || a.Evidence.Count != int64(tc.now)) {
					t.Errorf("%s evidence %+v", c.rule, a.Evidence)
				}
			}
		})
	}
}
