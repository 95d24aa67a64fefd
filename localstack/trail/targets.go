package trail

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// HTTPTarget POSTs each event as JSON to URL; any status but 2xx is a failed
// delivery, retried by the tap. It suits a locally running audit function.
type HTTPTarget struct {
	URL    string
	Client *http.Client // default: 10 s timeout
}

// Deliver implements Target.
func (h HTTPTarget) Deliver(ctx context.Context, event []byte) error {
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(event))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("trail: %s answered %s", h.URL, resp.Status)
	}
	return nil
}

// PutObject stores one object (the endpoint's own S3 in practice).
type PutObject func(ctx context.Context, bucket, key string, body []byte) error

// LogFileWriter is a Target that writes CloudTrail log files as CloudTrail does:
// gzip-compressed JSON {"Records":[...]} objects under
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz,
// one file per Flush (every Interval, default 10 s, and on Close).
type LogFileWriter struct {
	Bucket   string
	Put      PutObject
	Interval time.Duration

	mu      sync.Mutex
	pending []json.RawMessage
	region  string
	account string
	stop    chan struct{}
	done    chan struct{}
	now     func() time.Time
}

// NewLogFileWriter starts the periodic flush.
func NewLogFileWriter(bucket string, put PutObject, interval time.Duration) *LogFileWriter {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	w := &LogFileWriter{Bucket: bucket, Put: put, Interval: interval,
		stop: make(chan struct{}), done: make(chan struct{}), now: time.Now}
	go w.loop()
	return w
}

// Deliver implements Target: it buffers the event's CloudTrail record (the
// detail); the file is written at the next flush.
func (w *LogFileWriter) Deliver(_ context.Context, event []byte) error {
	var ev struct {
		Region  string          `json:"region"`
		Account string          `json:"account"`
		Detail  json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(event, &ev); err != nil || len(ev.Detail) == 0 {
		return nil // not an event this writer can file; retrying would not help
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) > 0 && (ev.Region != w.region || ev.Account != w.account) {
		// One file holds one account and region, as CloudTrail's do.
		if err := w.flushLocked(context.Background()); err != nil {
			return err
		}
	}
	w.region, w.account = ev.Region, ev.Account
	w.pending = append(w.pending, ev.Detail)
	return nil
}

// Flush writes the buffered records as one log file; on failure they stay
// buffered for the next attempt.
func (w *LogFileWriter) Flush(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked(ctx)
}

func (w *LogFileWriter) flushLocked(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	doc, err := json.Marshal(struct {
		Records []json.RawMessage `json:"Records"`
	}{w.pending})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(doc)
	if err := zw.Close(); err != nil {
		return err
	}
	t := w.now().UTC()
	id := strings.ToUpper(strings.ReplaceAll(awsapi.NewUUID(), "-", "")[:16])
	key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
		w.account, w.region, t.Format("2006/01/02"), w.account, w.region, t.Format("20060102T1504Z"), id)
	if err := w.Put(ctx, w.Bucket, key, buf.Bytes()); err != nil {
		return fmt.Errorf("trail: write log file %s: %w", key, err)
	}
	w.pending = nil
	return nil
}

func (w *LogFileWriter) loop() {
	defer close(w.done)
	tick := time.NewTicker(w.Interval)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
			_ = w.Flush(context.Background()) // kept for the next tick on failure
		}
	}
}

// Close stops the ticker and writes what is buffered.
func (w *LogFileWriter) Close() error {
	close(w.stop)
	<-w.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return w.Flush(ctx)
}
