package keyops

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// The hand-built EMF lines are valid JSON in the embedded metric format.
func TestEMFLines(t *testing.T) {
	var buf bytes.Buffer
	e := newEMF(&buf, func() time.Time { return time.UnixMilli(1700000000123) })
	e.decision(`key:"odd"`, true)
	e.request("encrypt", 413, 1500*time.Microsecond)
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var d, r map[string]any
	if err := json.Unmarshal(lines[0], &d); err != nil {
		t.Fatalf("decision line %s: %v", lines[0], err)
	}
	if err := json.Unmarshal(lines[1], &r); err != nil {
		t.Fatalf("request line %s: %v", lines[1], err)
	}
	meta := d["_aws"].(map[string]any)
	if meta["Timestamp"].(float64) != 1700000000123 || d["Action"] != `key:"odd"` || d["Decision"] != "allow" || d["AuthzDecisions"].(float64) != 1 {
		t.Fatalf("decision line %v", d)
	}
	dir := meta["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if dir["Namespace"] != metricNamespace {
		t.Fatalf("namespace %v", dir["Namespace"])
	}
	if r["Route"] != "encrypt" || r["StatusClass"] != "4xx" || r["Latency"].(float64) != 1.5 {
		t.Fatalf("request line %v", r)
	}
}
