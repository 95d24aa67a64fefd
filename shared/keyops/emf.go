package keyops

import (
	"encoding/json"
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

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

func (e *emf) write(dims []string, metrics []emfMetric, fields map[string]any) {
	fields["_aws"] = emfMeta{
		Timestamp: e.now().UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace: metricNamespace, Dimensions: [][]string{dims}, Metrics: metrics,
		}},
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return
	}
	b = append(b, '\n')
	e.mu.Lock()
	_, _ = e.w.Write(b)
	e.mu.Unlock()
}

// decision counts one authorization decision.
func (e *emf) decision(action string, allowed bool) {
	d := "deny"
	if allowed {
		d = "allow"
	}
	e.write([]string{"Action", "Decision"}, []emfMetric{{Name: "AuthzDecisions", Unit: "Count"}},
		map[string]any{"Action": action, "Decision": d, "AuthzDecisions": 1})
}

// request counts one request and its latency.
func (e *emf) request(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	e.write([]string{"Route", "StatusClass"},
		[]emfMetric{{Name: "Requests", Unit: "Count"}, {Name: "Latency", Unit: "Milliseconds"}},
		map[string]any{
			"Route": route, "StatusClass": strconv.Itoa(status/100) + "xx",
			"Requests": 1, "Latency": float64(d.Microseconds()) / 1000,
		})
}
