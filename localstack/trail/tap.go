package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Target receives CloudTrail events (EventBridge envelopes as JSON). Deliver
// returning an error means "not delivered": the tap retries the same event, with
// backoff, before sending any later one.
type Target interface {
	Deliver(ctx context.Context, event []byte) error
}

// TargetFunc adapts a function to Target.
type TargetFunc func(ctx context.Context, event []byte) error

// Deliver calls f.
func (f TargetFunc) Deliver(ctx context.Context, event []byte) error { return f(ctx, event) }

// Options configure a Tap.
type Options struct {
	File       string        // JSONL file events are appended to; empty: none
	Targets    []Target      // delivered to in order, at least once
	QueueSize  int           // events waiting per target before new ones are dropped; default 10,000
	Recent     int           // events kept in memory for Events and the debug URL; default 1,000
	MaxBackoff time.Duration // longest wait between retries; default 5 s
	DrainTime  time.Duration // how long Close waits for targets to catch up; default 5 s
	Logger     *slog.Logger
}

// Tap turns calls into CloudTrail events and fans them out.
type Tap struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	file    *os.File
	recent  [][]byte
	next    int // ring index into recent once full
	targets []*queue
	closed  bool
}

// New opens the JSONL file (appending) and starts one delivery worker per target.
func New(o Options) (*Tap, error) {
	if o.QueueSize <= 0 {
		o.QueueSize = 10000
	}
	if o.Recent <= 0 {
		o.Recent = 1000
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.DrainTime <= 0 {
		o.DrainTime = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	t := &Tap{opts: o, log: o.Logger}
	if o.File != "" {
		if err := os.MkdirAll(filepath.Dir(o.File), 0o700); err != nil {
			return nil, fmt.Errorf("trail: %w", err)
		}
		t.recent = tailLines(o.File, o.Recent)
		f, err := os.OpenFile(o.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("trail: open %s: %w", o.File, err)
		}
		t.file = f
	}
	for _, tg := range o.Targets {
		t.AddTarget(tg)
	}
	return t, nil
}

// AddTarget subscribes a target to events published from now on.
func (t *Tap) AddTarget(tg Target) {
	q := newQueue(tg, t.opts.QueueSize, t.opts.MaxBackoff, t.log)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.targets = append(t.targets, q)
	go q.run()
}

// APICall records one KMS or Secrets Manager call (e nil on success).
func (t *Tap) APICall(call *awsapi.Call, d awsapi.TrailDetails, e *awsapi.Error) {
	t.publish(Envelope(APICallRecord(call, d, e), DetailTypeAPICall))
}

// ServiceEvent records an AWS service event (awsapi.EventSink).
func (t *Tap) ServiceEvent(ev awsapi.ServiceEvent) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	t.publish(Envelope(ServiceEventRecord(ev), DetailTypeServiceEvent))
}

// publish serialises all outputs under one lock so the file, the in-memory list
// and every target see events in the same order.
func (t *Tap) publish(ev Event) {
	b, err := Marshal(ev)
	if err != nil {
		t.log.Error("trail: encode event", "eventName", ev.Detail.EventName, "err", err)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.file != nil {
		if _, err := t.file.Write(append(b, '\n')); err != nil {
			t.log.Error("trail: write file", "err", err)
		}
	}
	if len(t.recent) < t.opts.Recent {
		t.recent = append(t.recent, b)
	} else {
		t.recent[t.next] = b
		t.next = (t.next + 1) % t.opts.Recent
	}
	for _, q := range t.targets {
		q.push(b)
	}
}

// Events returns the most recent events, oldest first.
func (t *Tap) Events() [][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([][]byte, 0, len(t.recent))
	out = append(out, t.recent[t.next:]...)
	return append(out, t.recent[:t.next]...)
}

// ServeHTTP lists the recent events as a JSON array; ?source=aws.kms and
// ?eventName=Decrypt filter them.
func (t *Tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	source, name := r.URL.Query().Get("source"), r.URL.Query().Get("eventName")
	out := []json.RawMessage{}
	for _, b := range t.Events() {
		if source != "" || name != "" {
			var ev Event
			if json.Unmarshal(b, &ev) != nil || (source != "" && ev.Source != source) ||
				(name != "" && ev.Detail.EventName != name) {
				continue
			}
		}
		out = append(out, b)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// Dropped reports how many events each target lost to a full queue.
func (t *Tap) Dropped() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int, len(t.targets))
	for i, q := range t.targets {
		out[i] = q.droppedCount()
	}
	return out
}

// Close stops accepting events, gives targets DrainTime to catch up, and closes
// the file.
func (t *Tap) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	targets := t.targets
	t.mu.Unlock()
	deadline := time.Now().Add(t.opts.DrainTime)
	var errs []error
	for _, q := range targets {
		if n := q.stop(deadline); n > 0 {
			errs = append(errs, fmt.Errorf("trail: %d events not delivered to a target before close", n))
		}
	}
	if t.file != nil {
		if err := t.file.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// tailLines reads up to n complete events from the end of a JSONL file (at most
// its last 4 MiB), so the recent list survives a restart of a persistent endpoint.
func tailLines(path string, n int) [][]byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	const window = 4 << 20
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	off := max(0, st.Size()-window)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil {
		return nil
	}
	lines := bytes.Split(buf, []byte("\n"))
	if off > 0 && len(lines) > 0 {
		lines = lines[1:] // the first line may be cut
	}
	var out [][]byte
	for _, l := range lines {
		if json.Valid(l) && len(l) > 0 {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}
