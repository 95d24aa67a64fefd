package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/rules"
)

func newHandlerFor(e *env, now time.Time) *Handler {
	return &Handler{Evaluator: e.ev, Now: func() time.Time { return now }}
}

// The scheduler fixture runs the alarms job through the Lambda code path with
// the handler's clock choosing the window, and emits EMF metrics.
func TestHandlerSchedulerFixture(t *testing.T) {
	e := newEnv(t, nil)
	var emf bytes.Buffer
	e.ev.Metrics = &Metrics{W: &emf, Key: true}
	e.ingest(load(t, "eventbridge-kms-disablekey").at(min_(1), "d1"))
	payload, err := os.ReadFile("../../events/scheduler-alarms.json")
	if err != nil {
		t.Fatal(err)
	}
	h := newHandlerFor(e, win.End.Add(30*time.Second))
	out, err := lambda.NewHandler(h.Invoke).Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if res.Job != JobAlarms || !res.WindowStart.Equal(win.Start) || res.Active != 1 || res.InAlarm != 1 || res.Notified != 1 {
		t.Fatalf("result %+v", res)
	}
	var ruleLines, usage, evals int
	for _, line := range strings.Split(strings.TrimSpace(emf.String()), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("EMF line is not JSON: %s", line)
		}
		aws, _ := doc["_aws"].(map[string]any)
		if aws == nil || aws["CloudWatchMetrics"] == nil {
			t.Fatalf("EMF line without directive: %s", line)
		}
		switch {
		case doc["AlarmsInAlarm"] != nil && doc["Rule"] == "key-disabled" && doc["Severity"] == "high":
			ruleLines++
		case doc["Calls"] != nil && doc["Operation"] == "DisableKey":
			usage++
		case doc["Job"] == "alarms":
			evals++
		}
	}
	if ruleLines != 1 || usage != 1 || evals != 1 {
		t.Fatalf("EMF: %d rule, %d usage, %d evaluation lines:\n%s", ruleLines, usage, evals, emf.String())
	}
}

// An explicit scheduled time (Scheduler's <aws.scheduler.scheduled-time> or an
// EventBridge Scheduled Event's time) picks the window, not the clock.
func TestHandlerScheduledTimeAndBadInput(t *testing.T) {
	e := newEnv(t, nil)
	h := newHandlerFor(e, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	inv := lambda.NewHandler(h.Invoke)
	for _, p := range []string{
		`{"job":"alarms","scheduledTime":"2026-12-01T10:20:00Z"}`,
		`{"version":"0","detail-type":"Scheduled Event","source":"aws.events","time":"2026-12-01T10:21:40Z","detail":{}}`,
	} {
		out, err := inv.Invoke(context.Background(), []byte(p))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var res Result
		_ = json.Unmarshal(out, &res)
		if !res.WindowEnd.Equal(win.End) {
			t.Errorf("%s: window end %v, want %v", p, res.WindowEnd, win.End)
		}
	}
	for _, p := range []string{`[1,2]`, `{"job":"nightly"}`, `{"scheduledTime":"yesterday"}`, `{"job":"posture"}`} {
		_, err := h.Invoke(context.Background(), json.RawMessage(p))
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: error %v, want ErrBadInput", p, err)
		}
	}
}

func FuzzHandlerInput(f *testing.F) {
	f.Add([]byte(`{"job":"alarms","scheduledTime":"2026-12-01T10:20:00Z"}`))
	f.Add([]byte(`{"time":"<aws.scheduler.scheduled-time>"}`))
	h := &Handler{Evaluator: &Evaluator{}, Now: time.Now}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in Invocation
		if json.Unmarshal(b, &in) != nil || in.Job == "" || in.Job == JobAlarms {
			return // the evaluation itself needs a store; fuzz the refusal paths
		}
		_, err := h.Invoke(context.Background(), b)
		if err == nil {
			t.Fatalf("accepted %q", b)
		}
	})
}

// Request parameters are sanitised CloudTrail JSON of any shape: mapping them
// to a rules.Event never panics.
func FuzzEventOf(f *testing.F) {
	f.Add(`{"policy":"{\"Statement\":[]}","keyId":"k"}`)
	f.Add(`{"resourcePolicy":{"Statement":{"Effect":"Allow","Principal":"*"}},"aliasName":"alias/x"}`)
	f.Add(`{"granteePrincipal":7}`)
	f.Fuzz(func(t *testing.T, params string) {
		e := eventOf(audit.Record{Name: "DeleteAlias", Resources: []string{"arn:aws:kms:us-east-1:1:alias/a"}, RequestParameters: params})
		if e.Policy != "" {
			_, _ = rules.AnalyzePolicy(e.Policy, "111122223333")
		}
	})
}
