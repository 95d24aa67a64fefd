package keyops

import (
	"io"
	"strconv"
	"sync"
	"time"
)

// emf writes CloudWatch embedded metric format lines: the count of authorization
// decisions by action and decision, and request counts and latency by route and status.
type emf struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

const metricNamespace = "keyward/keyops"

func newEMF(w io.Writer, now func() time.Time) *emf { return &emf{w: w, now: now} }

// decision counts one authorization decision.
func (e *emf) decision(action string, allowed bool) {
	d := "deny"
	if allowed {
		d = "allow"
	}
	// hand-built: this line is written on every request
	b := make([]byte, 0, 256)
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, e.now().UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":"`+metricNamespace+`","Dimensions":[["Action","Decision"]],"Metrics":[{"Name":"AuthzDecisions","Unit":"Count"}]}]},"Action":`...)
	b = strconv.AppendQuote(b, action)
	b = append(b, `,"Decision":"`...)
	b = append(b, d...)
	b = append(b, "\",\"AuthzDecisions\":1}\n"...)
	e.emit(b)
}

// request counts one request and its latency.
func (e *emf) request(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	b := make([]byte, 0, 320)
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, e.now().UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":"`+metricNamespace+`","Dimensions":[["Route","StatusClass"]],"Metrics":[{"Name":"Requests","Unit":"Count"},{"Name":"Latency","Unit":"Milliseconds"}]}]},"Route":`...)
	b = strconv.AppendQuote(b, route)
	b = append(b, `,"StatusClass":"`...)
	b = strconv.AppendInt(b, int64(status/100), 10)
	b = append(b, `xx","Requests":1,"Latency":`...)
	b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 3, 64)
	b = append(b, "}\n"...)
	e.emit(b)
}

func (e *emf) emit(b []byte) {
	e.mu.Lock()
	_, _ = e.w.Write(b)
	e.mu.Unlock()
}
