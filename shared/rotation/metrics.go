package rotation

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// MetricsNamespace is the CloudWatch namespace of keyward's metrics.
const MetricsNamespace = "keyward"

// Metric names the alarms function and dashboards rely on.
const (
	MetricSucceeded = "RotationSucceeded"
	MetricFailed    = "RotationFailed"
)

// Metrics writes CloudWatch Embedded Metric Format lines, one per event, with the
// strategy as dimension. Lambda forwards stdout to CloudWatch Logs, which extracts them.
type Metrics struct {
	W   io.Writer
	Now func() time.Time
	mu  sync.Mutex
}

// Succeeded counts a completed rotation (a successful finishSecret).
func (m *Metrics) Succeeded(strategy string) {
	m.emit(MetricSucceeded, strategy, nil)
}

// Failed counts a failed step; step and error class ride along as properties.
func (m *Metrics) Failed(strategy, step, errorClass string) {
	m.emit(MetricFailed, strategy, map[string]any{"Step": step, "ErrorClass": errorClass})
}

func (m *Metrics) emit(metric, strategy string, props map[string]any) {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  MetricsNamespace,
				"Dimensions": [][]string{{"Strategy"}},
				"Metrics":    []any{map[string]any{"Name": metric, "Unit": "Count"}},
			}},
		},
		"Strategy": strategy,
		metric:     1,
	}
	for k, v := range props {
		doc[k] = v
	}
	b, _ := json.Marshal(doc) // only strings and numbers: cannot fail
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.W.Write(append(b, '\n'))
}
