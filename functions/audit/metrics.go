package main

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/keyward/keyward/shared/audit"
)

// Metrics writes one CloudWatch embedded-metric-format line per delivery unit
// (namespace keyward/audit). A nil *Metrics writes nothing.
type Metrics struct {
	mu  sync.Mutex
	W   io.Writer
	Now func() time.Time
}

// invocationMetrics are the counts of one EventBridge event or SQS message.
type invocationMetrics struct {
	Records        int // records aggregated
	Stored         int // records stored individually
	Groups         int // usage aggregates written
	Ignored        int // records of other event sources
	Malformed      int // records that could not be used
	SkippedObjects int // digest files and other objects
	FailedMessages int
}

func (m *invocationMetrics) add(b *audit.Batch) {
	m.Records += b.Records
	m.Stored += len(b.Stored)
	m.Groups += b.Groups()
}

// Emit writes the counts as one EMF line.
func (m *Metrics) Emit(c *invocationMetrics) {
	if m == nil || m.W == nil {
		return
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	values := []struct {
		name string
		v    int
	}{{"RecordsIngested", c.Records}, {"RecordsStored", c.Stored}, {"UsageGroups", c.Groups},
		{"RecordsIgnored", c.Ignored}, {"MalformedRecords", c.Malformed},
		{"ObjectsSkipped", c.SkippedObjects}, {"FailedMessages", c.FailedMessages}}
	type metric struct {
		Name string `json:"Name"`
		Unit string `json:"Unit"`
	}
	doc := map[string]any{"Function": "audit"}
	var ms []metric
	for _, v := range values {
		doc[v.name] = v.v
		ms = append(ms, metric{Name: v.name, Unit: "Count"})
	}
	doc["_aws"] = map[string]any{
		"Timestamp": now().UnixMilli(),
		"CloudWatchMetrics": []map[string]any{{
			"Namespace": "keyward/audit", "Dimensions": [][]string{{"Function"}}, "Metrics": ms,
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.W.Write(append(b, '\n'))
}
