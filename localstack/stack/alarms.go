package stack

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// alarmsLag is how long after a minute closes the schedule runs, so the
// CloudTrail events of that minute have reached the audit store.
const alarmsLag = 3 * time.Second

// RunAlarms invokes the alarms function with the EventBridge Scheduler payload
// for scheduledTime at: it evaluates the last window closed at at (ALARM_WINDOW).
func (s *Stack) RunAlarms(ctx context.Context, at time.Time) (json.RawMessage, error) {
	payload, _ := json.Marshal(map[string]string{"job": "alarms", "scheduledTime": at.UTC().Format(time.RFC3339)})
	return s.Functions.Invoke(ctx, s.opts.Env.Function("alarms"), payload)
}

// RunAlarmsNow evaluates the window that holds the present moment (still open):
// what the next scheduled run will see, without waiting for it.
func (s *Stack) RunAlarmsNow(ctx context.Context) (json.RawMessage, error) {
	return s.RunAlarms(ctx, time.Now().Add(s.opts.AlarmWindow))
}

// schedule runs alarms at every AlarmEvery boundary (+alarmsLag), like the
// EventBridge Scheduler schedule of the compute stack.
func (s *Stack) schedule() {
	defer close(s.done)
	if s.opts.AlarmEvery < 0 {
		<-s.stop
		return
	}
	for {
		next := time.Now().Truncate(s.opts.AlarmEvery).Add(s.opts.AlarmEvery)
		select {
		case <-s.stop:
			return
		case <-time.After(time.Until(next.Add(alarmsLag))):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := s.RunAlarms(ctx, next)
		cancel()
		if err != nil {
			s.log.Error("scheduled alarms run failed", "scheduledTime", next, "err", err)
			continue
		}
		s.log.Info("scheduled alarms run", "scheduledTime", next, "result", string(out))
	}
}

// serveRunAlarms is POST /_keyward/alarms/run on the endpoint: RunAlarmsNow,
// answering the function's result.
func (s *Stack) serveRunAlarms(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	out, err := s.RunAlarmsNow(r.Context())
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_, _ = w.Write(out)
}
