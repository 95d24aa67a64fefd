package audit

import (
	"time"
)

// Batch aggregates the records of one delivery unit (one EventBridge event or one
// CloudTrail log file) into what the store writes: records stored individually,
// usage aggregates (from which counters are derived), first-seen, last-use and
// activity entries. Aggregation is deterministic: the same records in the same
// order give the same Batch, which is what makes redelivery idempotent.
type Batch struct {
	Records int      // records added
	Stored  []Record // records stored individually (scale rule)

	usage    map[usageKey]*usageAgg
	order    []usageKey // first-seen order, for deterministic samples and chunks
	pcount   map[principalKey]int64
	porder   []principalKey
	seen     map[seenKey]seenAgg
	lastUse  map[lastUseKey]lastUseAgg
	activity map[activityKey]*activityAgg
}

type usageKey struct {
	resource  string
	minute    int64 // unix minutes
	op        string
	outcome   string
	principal string
	network   string
}

type usageAgg struct {
	n       int64
	samples []Sample
}

type principalKey struct {
	principal   string
	minute      int64
	op, outcome string
}

type seenKey struct{ resource, kind, value string }

type seenAgg struct {
	t       time.Time
	eventID string
}

type lastUseKey struct{ resource, op, class string }

type lastUseAgg struct {
	t                             time.Time
	eventID, principal, arn, netw string
	errorCode                     string
}

type activityKey struct {
	resource string
	hour     int64 // unix hours
}

type activityAgg struct {
	minutes uint64 // bit i: minute i of the hour had calls
	ops     map[string]struct{}
	failed  map[string]struct{}
}

const (
	lastUseOK    = "ok"
	lastUseError = "error"
)

// NewBatch returns an empty batch.
func NewBatch() *Batch {
	return &Batch{
		usage:    map[usageKey]*usageAgg{},
		pcount:   map[principalKey]int64{},
		seen:     map[seenKey]seenAgg{},
		lastUse:  map[lastUseKey]lastUseAgg{},
		activity: map[activityKey]*activityAgg{},
	}
}

// sampleCap bounds the samples kept per usage aggregate in memory; the store keeps
// StoreConfig.SampleSize of them.
const sampleCap = 8

// Add aggregates one normalised record. The record's strings may be retained.
func (b *Batch) Add(r *Record) {
	b.Records++
	if r.Stored() {
		c := *r
		c.Resources = append([]string(nil), r.Resources...) // the parser reuses r.Resources
		b.Stored = append(b.Stored, c)
	}
	resources := r.Resources
	if len(resources) == 0 {
		resources = []string{r.Service + ":" + r.Account}
	}
	min := r.Time.Unix() / 60
	outcome := r.Outcome()
	if r.Principal.Key != "" {
		pk := principalKey{r.Principal.Key, min, r.Name, outcome}
		if _, ok := b.pcount[pk]; !ok {
			b.porder = append(b.porder, pk)
		}
		b.pcount[pk]++
	}
	for _, res := range resources {
		k := usageKey{res, min, r.Name, outcome, r.Principal.Key, r.Network}
		a := b.usage[k]
		if a == nil {
			a = &usageAgg{}
			b.usage[k] = a
			b.order = append(b.order, k)
		}
		a.n++
		if len(a.samples) < sampleCap {
			a.samples = append(a.samples, Sample{EventID: r.EventID, EventTime: r.Time.UTC().Format(timeLayout),
				SourceIP: r.SourceIP, UserAgent: r.UserAgent, VPCEndpointID: r.VPCEndpoint,
				PrincipalARN: r.Principal.ARN, ErrorCode: r.ErrorCode})
		}
		b.addSeen(seenKey{res, SeenResource, ""}, r)
		if r.Principal.Key != "" {
			b.addSeen(seenKey{res, SeenPrincipal, r.Principal.Key}, r)
		}
		if r.Network != "" {
			b.addSeen(seenKey{res, SeenNetwork, r.Network}, r)
		}
		class := lastUseOK
		if r.ErrorCode != "" {
			class = lastUseError
		}
		lk := lastUseKey{res, r.Name, class}
		if cur, ok := b.lastUse[lk]; !ok || r.Time.After(cur.t) || (r.Time.Equal(cur.t) && r.EventID > cur.eventID) {
			b.lastUse[lk] = lastUseAgg{t: r.Time, eventID: r.EventID, principal: r.Principal.Key,
				arn: r.Principal.ARN, netw: r.Network, errorCode: r.ErrorCode}
		}
		ak := activityKey{res, r.Time.Unix() / 3600}
		act := b.activity[ak]
		if act == nil {
			act = &activityAgg{ops: map[string]struct{}{}, failed: map[string]struct{}{}}
			b.activity[ak] = act
		}
		act.minutes |= 1 << uint(r.Time.UTC().Minute())
		act.ops[r.Name] = struct{}{}
		if r.ErrorCode != "" {
			act.failed[r.Name] = struct{}{}
		}
	}
}

func (b *Batch) addSeen(k seenKey, r *Record) {
	if cur, ok := b.seen[k]; ok && (cur.t.Before(r.Time) || (cur.t.Equal(r.Time) && cur.eventID <= r.EventID)) {
		return // keep the earliest (time, event id)
	}
	b.seen[k] = seenAgg{t: r.Time, eventID: r.EventID}
}

// Groups is the number of usage aggregates (distinct resource × minute × operation
// × outcome × principal × network) in the batch.
func (b *Batch) Groups() int { return len(b.usage) }

// timeLayout is how times are stored in items: fixed width, so string order is
// time order (conditional writes compare them as strings).
const timeLayout = "2006-01-02T15:04:05.000Z"
