package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
)

// Invocation is the schedule's payload. EventBridge Scheduler sends the input
// configured in infra ({"job":"alarms","scheduledTime":"<aws.scheduler.scheduled-time>"});
// an EventBridge "Scheduled Event" (time field) works too. Without a time the
// handler's clock decides.
type Invocation struct {
	Job           string `json:"job"`           // "alarms" (default) or "posture"
	ScheduledTime string `json:"scheduledTime"` // RFC 3339
	Time          string `json:"time"`          // EventBridge Scheduled Event
}

// Job names.
const (
	JobAlarms  = "alarms"
	JobPosture = "posture"
)

// ErrBadInput marks a payload the handler cannot evaluate (not retried usefully).
var ErrBadInput = errors.New("alarms: bad input")

// Posture runs the daily posture checks (shared/posture.Checker).
type Posture interface {
	Run(ctx context.Context, now time.Time) ([]rules.Finding, error)
}

// Handler is the Lambda handler: it picks the job and the window, evaluates and
// reports the result (also as EMF).
type Handler struct {
	Evaluator    *Evaluator
	Posture      Posture // nil: posture job refused
	PostureMetas map[string]rules.Meta
	Now          func() time.Time
	Log          *slog.Logger
}

// Invoke handles one scheduled invocation.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (Result, error) {
	var in Invocation
	if len(payload) > 0 && string(payload) != "null" {
		if err := json.Unmarshal(payload, &in); err != nil {
			return Result{}, fmt.Errorf("%w: payload is not a schedule invocation: %v", ErrBadInput, err)
		}
	}
	now := h.Now().UTC()
	at := now
	for _, s := range []string{in.ScheduledTime, in.Time} {
		if s == "" || strings.HasPrefix(s, "<aws.scheduler") {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return Result{}, fmt.Errorf("%w: time %q: %v", ErrBadInput, s, err)
		}
		at = t.UTC()
		break
	}
	start := time.Now()
	var res Result
	var err error
	switch in.Job {
	case "", JobAlarms:
		res, err = h.Evaluator.Evaluate(ctx, h.Evaluator.WindowAt(at), now)
	case JobPosture:
		res, err = h.posture(ctx, at, now)
	default:
		return Result{}, fmt.Errorf("%w: unknown job %q (want %q or %q)", ErrBadInput, in.Job, JobAlarms, JobPosture)
	}
	if err != nil {
		return res, fmt.Errorf("alarms: %s job: %w", res.Job, err)
	}
	h.Evaluator.Metrics.Evaluation(now, res, time.Since(start))
	if h.Log != nil {
		h.Log.Info("evaluated", "job", res.Job, "windowStart", res.WindowStart, "windowEnd", res.WindowEnd,
			"active", res.Active, "findings", res.Findings, "inAlarm", res.InAlarm, "written", res.Written,
			"notified", res.Notified, "notifyFailures", res.NotifyFails, "ms", time.Since(start).Milliseconds())
	}
	return res, nil
}

// posture evaluates the daily checks for the UTC day containing at: running it
// twice on one day changes nothing (idempotent per window).
func (h *Handler) posture(ctx context.Context, at, now time.Time) (Result, error) {
	if h.Posture == nil {
		return Result{Job: JobPosture}, fmt.Errorf("%w: posture checks are not configured", ErrBadInput)
	}
	day := at.Truncate(24 * time.Hour)
	w := alarmstate.Window{Start: day, End: day.Add(24 * time.Hour)}
	fs, err := h.Posture.Run(ctx, now)
	if err != nil {
		return Result{Job: JobPosture}, err
	}
	res, err := h.Evaluator.Apply(ctx, h.PostureMetas, fs, w, now)
	res.Job = JobPosture
	return res, err
}
