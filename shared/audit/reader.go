package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keyward/keyward/shared/table"
	"golang.org/x/sync/errgroup"
)

// EventQuery selects stored events in [From, To). Limit 0 means DefaultEventLimit.
type EventQuery struct {
	From, To time.Time
	Limit    int
	Newest   bool // newest first (default oldest first)
}

// DefaultEventLimit bounds an events read when EventQuery.Limit is 0.
const DefaultEventLimit = 1000

// ErrBadQuery reports a query the store cannot answer (empty subject, To before From).
var ErrBadQuery = errors.New("audit: bad query")

func (q EventQuery) check(subject string) (EventQuery, error) {
	if subject == "" || q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) {
		return q, fmt.Errorf("%w: need a subject and From < To", ErrBadQuery)
	}
	if q.Limit <= 0 {
		q.Limit = DefaultEventLimit
	}
	return q, nil
}

// EventsByResource returns the events stored for a resource (key, alias, secret or
// parameter ARN as CloudTrail named it) in the window. One Query on the table.
func (s *Store) EventsByResource(ctx context.Context, resource string, q EventQuery) ([]Record, error) {
	q, err := q.check(resource)
	if err != nil {
		return nil, err
	}
	lo, hi := table.AuditEventRangeSK(q.From, q.To)
	r := tableRange(table.AuditEventPK(resource), lo, hi)
	r.limit, r.descending = q.Limit, q.Newest
	items, err := queryItems(ctx, s, r, func(e *table.AuditEvent) string { return e.SK })
	if err != nil {
		return nil, err
	}
	return recordsFromItems(items), nil
}

// EventsByPrincipal returns the events of a principal (its Principal.Key: the role
// ARN for assumed-role sessions, the service name for AWS services) in the window.
// One Query on gsi1 per UTC day of the window.
func (s *Store) EventsByPrincipal(ctx context.Context, principal string, q EventQuery) ([]Record, error) {
	q, err := q.check(principal)
	if err != nil {
		return nil, err
	}
	return s.eventsByDay(ctx, q, table.IndexGSI1, table.AttrGSI1PK, table.AttrGSI1SK,
		func(day time.Time) string { return table.AuditPrincipalGSI1PK(principal, day) },
		func(e *table.AuditEvent) string { return e.GSI1SK })
}

// EventsByName returns the events with one name of one service ("kms",
// "secretsmanager", "ssm") in the window, e.g. every ScheduleKeyDeletion this week.
// One Query on gsi2 per UTC day of the window.
func (s *Store) EventsByName(ctx context.Context, service, name string, q EventQuery) ([]Record, error) {
	q, err := q.check(service + name)
	if err != nil {
		return nil, err
	}
	return s.eventsByDay(ctx, q, table.IndexGSI2, table.AttrGSI2PK, table.AttrGSI2SK,
		func(day time.Time) string { return table.AuditNameGSI2PK(service, name, day) },
		func(e *table.AuditEvent) string { return e.GSI2SK })
}

func (s *Store) eventsByDay(ctx context.Context, q EventQuery, index, pkAttr, skAttr string,
	pk func(time.Time) string, sk func(*table.AuditEvent) string) ([]Record, error) {
	lo, hi := table.AuditEventGSIRange(q.From, q.To)
	days := daysOf(q.From, q.To)
	if q.Newest {
		slices.Reverse(days)
	}
	var items []table.AuditEvent
	for _, day := range days {
		r := keyRange{index: index, pkAttr: pkAttr, skAttr: skAttr, pk: pk(day), lo: lo, hi: hi,
			limit: q.Limit - len(items), descending: q.Newest}
		got, err := queryItems(ctx, s, r, sk)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
		if len(items) >= q.Limit {
			break
		}
	}
	return recordsFromItems(items), nil
}

// daysOf lists the UTC days that [from, to) touches.
func daysOf(from, to time.Time) []time.Time {
	var out []time.Time
	d := from.UTC().Truncate(24 * time.Hour)
	for ; d.Before(to); d = d.Add(24 * time.Hour) {
		out = append(out, d)
	}
	return out
}

// Granularity is the bucket size of a counter read.
type Granularity string

// Counter granularities. Day is read from the hour counters (24 per day).
const (
	Minute Granularity = table.AuditGranMinute
	Hour   Granularity = table.AuditGranHour
	Day    Granularity = "d"
)

// CountQuery selects counters of one resource or one principal (exactly one set).
type CountQuery struct {
	Resource    string
	Principal   string      // Principal.Key
	Granularity Granularity // Minute (default), Hour or Day
	From, To    time.Time   // [From, To), truncated to the granularity
	// Operations filters by event name; "GenerateDataKey*" matches a prefix. Empty: all.
	Operations []string
	// Outcomes filters by outcome: OutcomeOK, an error code, or OutcomeFailed for
	// every error. Empty: all.
	Outcomes []string
}

// OutcomeFailed matches every outcome except OutcomeOK in CountQuery.Outcomes.
const OutcomeFailed = "failed"

// Count is the number of calls of one operation with one outcome in one bucket
// (the sum of the counter's shards).
type Count struct {
	Bucket    time.Time
	Operation string
	Outcome   string
	N         int64
}

// Counts reads counters: one Query over the subject's counter partition.
func (s *Store) Counts(ctx context.Context, q CountQuery) ([]Count, error) {
	if (q.Resource == "") == (q.Principal == "") || q.From.IsZero() || !q.To.After(q.From) {
		return nil, fmt.Errorf("%w: counts need one of Resource/Principal and From < To", ErrBadQuery)
	}
	gran := string(q.Granularity)
	if gran == "" {
		gran = table.AuditGranMinute
	}
	bucket := func(t time.Time) time.Time { return t }
	if gran == string(Day) {
		gran = table.AuditGranHour
		q.From = q.From.UTC().Truncate(24 * time.Hour)
		bucket = func(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }
	}
	if gran != table.AuditGranMinute && gran != table.AuditGranHour {
		return nil, fmt.Errorf("%w: granularity %q", ErrBadQuery, gran)
	}
	pk := table.AuditResourceCounterPK(q.Resource)
	if q.Principal != "" {
		pk = table.AuditPrincipalCounterPK(q.Principal)
	}
	lo, hi := table.AuditCounterRange(gran, q.From, q.To)
	items, err := queryItems(ctx, s, tableRange(pk, lo, hi), func(c *table.AuditCounter) string { return c.SK })
	if err != nil {
		return nil, err
	}
	layout := table.AuditMinuteLayout
	if gran == table.AuditGranHour {
		layout = table.AuditHourLayout
	}
	type key struct {
		bucket      time.Time
		op, outcome string
	}
	sums := map[key]int64{}
	for _, c := range items {
		if !matchOp(q.Operations, c.Operation) || !matchOutcome(q.Outcomes, c.Outcome) {
			continue
		}
		t, err := time.Parse(layout, c.Bucket)
		if err != nil {
			return nil, fmt.Errorf("audit: counter bucket %q: %w", c.Bucket, err)
		}
		sums[key{bucket(t), c.Operation, c.Outcome}] += c.N
	}
	out := make([]Count, 0, len(sums))
	for k, n := range sums {
		out = append(out, Count{Bucket: k.bucket, Operation: k.op, Outcome: k.outcome, N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Bucket.Equal(b.Bucket) {
			return a.Bucket.Before(b.Bucket)
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.Outcome < b.Outcome
	})
	return out, nil
}

// Total is the sum of Counts.
func (s *Store) Total(ctx context.Context, q CountQuery) (int64, error) {
	cs, err := s.Counts(ctx, q)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, c := range cs {
		n += c.N
	}
	return n, nil
}

func matchOp(patterns []string, op string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if p == op || (strings.HasSuffix(p, "*") && strings.HasPrefix(op, p[:len(p)-1])) {
			return true
		}
	}
	return false
}

func matchOutcome(want []string, outcome string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if w == outcome || (w == OutcomeFailed && outcome != OutcomeOK) {
			return true
		}
	}
	return false
}

// Sample is one raw call kept as evidence with a usage aggregate.
type Sample = table.AuditSample

// Usage is the number of calls of one operation with one outcome by one principal
// from one source network on a resource in one minute, with a bounded sample.
type Usage struct {
	Minute    time.Time
	Resource  string
	Operation string
	Outcome   string
	Principal string
	Network   string
	N         int64
	Samples   []Sample
}

// Usage reads the per-principal/per-network usage of a resource in [from, to):
// one Query over the resource's counter partition; shards are merged.
func (s *Store) Usage(ctx context.Context, resource string, from, to time.Time) ([]Usage, error) {
	if resource == "" || !to.After(from) {
		return nil, fmt.Errorf("%w: usage needs a resource and from < to", ErrBadQuery)
	}
	lo, hi := table.AuditUsageRange(from, to)
	items, err := queryItems(ctx, s, tableRange(table.AuditResourceCounterPK(resource), lo, hi),
		func(u *table.AuditUsage) string { return u.SK })
	if err != nil {
		return nil, err
	}
	return usageOf(items)
}

// Seen kinds.
const (
	SeenResource  = table.AuditSeenResource
	SeenPrincipal = table.AuditSeenPrincipal
	SeenNetwork   = table.AuditSeenNetwork
)

// Seen is the first call on a resource by a principal or from a network (or, for
// SeenResource, the first call on the resource at all).
type Seen struct {
	Resource     string
	Kind         string
	Value        string
	First        time.Time
	FirstEventID string
}

// SeenAll lists every principal and network ever seen on a resource (one Query).
func (s *Store) SeenAll(ctx context.Context, resource string) ([]Seen, error) {
	if resource == "" {
		return nil, fmt.Errorf("%w: empty resource", ErrBadQuery)
	}
	var out []Seen
	for _, kind := range []string{SeenResource, SeenPrincipal, SeenNetwork} {
		r := tableRange(table.AuditSeenPK(resource), kind+"#", "")
		r.prefix = true
		items, err := queryItems[table.AuditSeen](ctx, s, r, nil)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			sn, err := seenFromItem(it)
			if err != nil {
				return nil, err
			}
			out = append(out, sn)
		}
	}
	return out, nil
}

// FirstSeen returns when a principal (Principal.Key) or network (Record.Network)
// was first seen on a resource; ok is false if never. One GetItem.
func (s *Store) FirstSeen(ctx context.Context, resource, kind, value string) (Seen, bool, error) {
	if resource == "" {
		return Seen{}, false, fmt.Errorf("%w: empty resource", ErrBadQuery)
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.cfg.Table),
		Key:            itemKey(table.AuditSeenPK(resource), table.AuditSeenSK(kind, value)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Seen{}, false, fmt.Errorf("audit: first seen %s %s: %w", kind, value, err)
	}
	if len(out.Item) == 0 {
		return Seen{}, false, nil
	}
	var it table.AuditSeen
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return Seen{}, false, fmt.Errorf("audit: decode seen item: %w", err)
	}
	sn, err := seenFromItem(it)
	return sn, err == nil, err
}

func seenFromItem(it table.AuditSeen) (Seen, error) {
	t, err := time.Parse(time.RFC3339Nano, it.FirstSeen)
	if err != nil {
		return Seen{}, fmt.Errorf("audit: seen time %q: %w", it.FirstSeen, err)
	}
	return Seen{Resource: it.Resource, Kind: it.Kind, Value: it.Value, First: t, FirstEventID: it.FirstEventID}, nil
}

// LastUse is the latest call of an operation on a resource.
type LastUse struct {
	Resource     string
	Operation    string
	Outcome      string // OutcomeOK or the error code of the latest failed call
	Time         time.Time
	EventID      string
	Principal    string // Principal.Key
	PrincipalARN string
	Network      string
}

// LastUses lists the latest call of every operation seen on a resource, one entry
// per operation and outcome class (success, failure). One Query.
func (s *Store) LastUses(ctx context.Context, resource string) ([]LastUse, error) {
	if resource == "" {
		return nil, fmt.Errorf("%w: empty resource", ErrBadQuery)
	}
	r := tableRange(table.AuditSeenPK(resource), "l#", "")
	r.prefix = true
	items, err := queryItems[table.AuditLastUse](ctx, s, r, nil)
	if err != nil {
		return nil, err
	}
	out := make([]LastUse, 0, len(items))
	for _, it := range items {
		t, err := time.Parse(time.RFC3339Nano, it.LastTime)
		if err != nil {
			return nil, fmt.Errorf("audit: last use time %q: %w", it.LastTime, err)
		}
		outcome := OutcomeOK
		if it.Class != lastUseOK {
			outcome = it.ErrorCode
		}
		out = append(out, LastUse{Resource: it.Resource, Operation: it.Operation, Outcome: outcome,
			Time: t, EventID: it.EventID, Principal: it.Principal, PrincipalARN: it.ARN, Network: it.Network})
	}
	return out, nil
}

// LastUse returns the latest call on a resource of any of ops ("GenerateDataKey*"
// matches a prefix; empty: any operation) at or after since; ok is false if none.
// Failed calls count as use: a Decrypt refused because the key is disabled still
// shows that something depends on the key.
func (s *Store) LastUse(ctx context.Context, resource string, ops []string, since time.Time) (LastUse, bool, error) {
	all, err := s.LastUses(ctx, resource)
	if err != nil {
		return LastUse{}, false, err
	}
	var best LastUse
	found := false
	for _, u := range all {
		if !matchOp(ops, u.Operation) || u.Time.Before(since) {
			continue
		}
		if !found || u.Time.After(best.Time) {
			best, found = u, true
		}
	}
	return best, found, nil
}

// Activity says a resource had calls in some minutes of the window.
type Activity struct {
	Resource         string
	Minutes          []time.Time // minutes with calls inside the window, ascending
	Operations       []string    // operations seen in the hours touched (sorted)
	FailedOperations []string    // operations that failed in the hours touched (sorted)
}

// ActiveResources lists the resources with calls in [from, to): one Query per
// activity shard per hour touched (table.AuditActivityShards × hours, run
// concurrently), so an alarm evaluation costs in proportion to the resources that
// were active, never a Scan.
func (s *Store) ActiveResources(ctx context.Context, from, to time.Time) ([]Activity, error) {
	if from.IsZero() || !to.After(from) {
		return nil, fmt.Errorf("%w: activity needs from < to", ErrBadQuery)
	}
	byRes := map[string]*Activity{}
	var mu sync.Mutex
	var jobs []job
	for h := from.UTC().Truncate(time.Hour); h.Before(to); h = h.Add(time.Hour) {
		for shard := range table.AuditActivityShards {
			jobs = append(jobs, func(ctx context.Context) error {
				r := tableRange(table.AuditActivityPK(h, shard), "", "")
				r.prefix = true
				items, err := queryItems[table.AuditActivity](ctx, s, r, nil)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				return mergeActivity(byRes, items, from, to)
			})
		}
	}
	if err := s.run(ctx, jobs); err != nil { // the shards × hours in parallel
		return nil, err
	}
	out := make([]Activity, 0, len(byRes))
	for _, a := range byRes {
		slices.SortFunc(a.Minutes, func(x, y time.Time) int { return x.Compare(y) })
		slices.Sort(a.Operations)
		a.Operations = slices.Compact(a.Operations)
		slices.Sort(a.FailedOperations)
		a.FailedOperations = slices.Compact(a.FailedOperations)
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Resource < out[j].Resource })
	return out, nil
}

// mergeActivity adds the minutes of items that fall in [from, to) to byRes.
func mergeActivity(byRes map[string]*Activity, items []table.AuditActivity, from, to time.Time) error {
	for _, it := range items {
		var mins []time.Time
		for _, m := range it.Minutes {
			t, err := time.Parse(table.AuditMinuteLayout, it.Hour[:len("2006-01-02T")]+m+"Z")
			if err != nil {
				return fmt.Errorf("audit: activity minute %q: %w", m, err)
			}
			if !t.Before(from.Truncate(time.Minute)) && t.Before(to) {
				mins = append(mins, t)
			}
		}
		if len(mins) == 0 {
			continue
		}
		a := byRes[it.SK]
		if a == nil {
			a = &Activity{Resource: it.SK}
			byRes[it.SK] = a
		}
		a.Minutes = append(a.Minutes, mins...)
		a.Operations = append(a.Operations, it.Operations...)
		a.FailedOperations = append(a.FailedOperations, it.Failures...)
	}
	return nil
}

func itemKey(pk, sk string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		table.AttrPK: &ddbtypes.AttributeValueMemberS{Value: pk},
		table.AttrSK: &ddbtypes.AttributeValueMemberS{Value: sk},
	}
}

// UsageWindow lists the usage of every resource in [from, to) through the
// per-minute window index on gsi2: minutes × Shards Queries, run concurrently,
// however many resources were used. Items are ordered by resource, then as Usage.
func (s *Store) UsageWindow(ctx context.Context, from, to time.Time) ([]Usage, error) {
	if from.IsZero() || !to.After(from) {
		return nil, fmt.Errorf("%w: usage window needs from < to", ErrBadQuery)
	}
	var mu sync.Mutex
	var items []table.AuditUsage
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for m := from.UTC().Truncate(time.Minute); m.Before(to); m = m.Add(time.Minute) {
		for shard := range s.cfg.Shards {
			g.Go(func() error {
				r := keyRange{index: table.IndexGSI2, pkAttr: table.AttrGSI2PK, skAttr: table.AttrGSI2SK,
					pk: table.AuditUsageWindowGSI2PK(m, shard), prefix: true}
				got, err := queryItems(gctx, s, r, func(u *table.AuditUsage) string { return u.GSI2SK })
				if err != nil {
					return err
				}
				mu.Lock()
				items = append(items, got...)
				mu.Unlock()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(items, func(a, b table.AuditUsage) int { return strings.Compare(a.GSI2SK, b.GSI2SK) })
	return usageOf(items)
}

// usageOf merges usage items (one per writer shard) into one Usage per resource ×
// minute × operation × outcome × principal × network, keeping their order.
func usageOf(items []table.AuditUsage) ([]Usage, error) {
	type key struct{ resource, minute, op, outcome, principal, network string }
	idx := map[key]int{}
	var out []Usage
	for _, it := range items {
		k := key{it.Resource, it.Minute, it.Operation, it.Outcome, it.Principal, it.Network}
		i, ok := idx[k]
		if !ok {
			t, err := time.Parse(table.AuditMinuteLayout, it.Minute)
			if err != nil {
				return nil, fmt.Errorf("audit: usage minute %q: %w", it.Minute, err)
			}
			idx[k] = len(out)
			out = append(out, Usage{Minute: t, Resource: it.Resource, Operation: it.Operation,
				Outcome: it.Outcome, Principal: it.Principal, Network: it.Network})
			i = len(out) - 1
		}
		out[i].N += it.N
		out[i].Samples = append(out[i].Samples, it.Samples...)
	}
	return out, nil
}
