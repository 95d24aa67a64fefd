package main

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
)

// Metric namespaces.
const (
	alarmNamespace = "keyward/alarms"
	usageNamespace = "keyward/usage"
)

// Metrics writes CloudWatch embedded-metric-format lines: alarms in ALARM and
// notifications per rule and per severity, and per-key usage counts for
// dashboards. A nil *Metrics writes nothing.
type Metrics struct {
	mu  sync.Mutex
	W   io.Writer
	Key bool // per-resource usage metrics (one custom metric per key × operation)
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

func (m *Metrics) emit(t time.Time, ns string, dims [][]string, values map[string]any) {
	if m == nil || m.W == nil {
		return
	}
	doc := map[string]any{}
	var metrics []emfMetric
	for k, v := range values {
		doc[k] = v
		if _, isNum := v.(int64); isNum {
			unit := "Count"
			if strings.HasSuffix(k, "Ms") {
				unit = "Milliseconds"
			}
			metrics = append(metrics, emfMetric{Name: k, Unit: unit})
		}
	}
	slices.SortFunc(metrics, func(a, b emfMetric) int { return strings.Compare(a.Name, b.Name) })
	doc["_aws"] = map[string]any{
		"Timestamp":         t.UnixMilli(),
		"CloudWatchMetrics": []emfDirective{{Namespace: ns, Dimensions: dims, Metrics: metrics}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.W.Write(append(b, '\n'))
}

// Finding records one alarm that is in ALARM after this evaluation.
func (m *Metrics) Finding(t time.Time, a alarmstate.Alarm) {
	m.emit(t, alarmNamespace, [][]string{{"Rule"}, {"Severity"}, {"Rule", "Severity"}},
		map[string]any{"Rule": a.Rule, "Severity": string(a.Severity), "AlarmsInAlarm": int64(1)})
}

// Notification records one published notification.
func (m *Metrics) Notification(t time.Time, msg alarmstate.Message) {
	m.emit(t, alarmNamespace, [][]string{{"Rule"}, {"Severity"}, {"Kind"}},
		map[string]any{"Rule": msg.Rule, "Severity": string(msg.Severity), "Kind": string(msg.Kind),
			"Notifications": int64(1)})
}

// Usage records per-resource, per-operation call counts of the window.
func (m *Metrics) Usage(t time.Time, usage []rules.Usage) {
	if m == nil || !m.Key {
		return
	}
	type k struct{ res, op string }
	sums := map[k]int64{}
	var order []k
	for _, u := range usage {
		kk := k{u.Resource, u.Operation}
		if _, ok := sums[kk]; !ok {
			order = append(order, kk)
		}
		sums[kk] += u.Count
	}
	for _, kk := range order {
		m.emit(t, usageNamespace, [][]string{{"Resource", "Operation"}},
			map[string]any{"Resource": kk.res, "Operation": kk.op, "Calls": sums[kk]})
	}
}

// Evaluation records the size of one evaluation.
func (m *Metrics) Evaluation(t time.Time, r Result, took time.Duration) {
	m.emit(t, alarmNamespace, [][]string{{"Job"}},
		map[string]any{"Job": r.Job, "ActiveResources": int64(r.Active), "Findings": int64(r.Findings),
			"InAlarm": int64(r.InAlarm), "NotifyFailures": int64(r.NotifyFails),
			"DurationMs": took.Milliseconds()})
}
