package audit

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keyward/keyward/shared/table"
)

// Apply writes a batch for one delivery unit exactly once in effect. unit names
// the delivery (the EventBridge event id, or bucket/key/etag of a log file) and
// must be the same on redelivery.
//
// The writes, in order: stored events (idempotent puts keyed by event id),
// first-seen / last-use / activity entries (monotonic conditional updates and set
// additions, idempotent by construction), then the counter increments in chunks of
// at most ChunkSize, each chunk one TransactWriteItems together with an
// idempotency marker that must not exist. A crash between any two writes leaves a
// state from which redelivery converges to the same result: repeated idempotent
// writes change nothing and an already-applied chunk is refused by its marker.
func (s *Store) Apply(ctx context.Context, unit string, b *Batch) error {
	if unit == "" {
		return fmt.Errorf("%w: empty delivery unit", ErrBadQuery)
	}
	now := time.Now()
	var jobs []job
	if err := s.putEvents(b, &jobs); err != nil {
		return err
	}
	s.putSeen(b, &jobs)
	s.putLastUse(b, &jobs)
	s.putActivity(b, &jobs)
	if err := s.putCounters(unit, b, now, &jobs); err != nil {
		return err
	}
	return s.run(ctx, jobs)
}

// job is one independent write: idempotent, or atomic and guarded by a marker,
// so jobs may run in any order and concurrently.
type job func(ctx context.Context) error

// run executes jobs with at most StoreConfig.Concurrency in flight and returns
// the first error (the others are cancelled).
func (s *Store) run(ctx context.Context, jobs []job) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, s.cfg.Concurrency)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := j(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

func ttl(t time.Time, keep time.Duration) int64 { return t.Add(keep).Unix() }

func (s *Store) putEvents(b *Batch, jobs *[]job) error {
	seen := map[[2]string]bool{}
	var reqs []ddbtypes.WriteRequest
	for i := range b.Stored {
		for _, it := range eventItems(&b.Stored[i], ttl(b.Stored[i].Time, s.cfg.EventRetention)) {
			k := [2]string{it.PK, it.SK}
			if seen[k] { // a duplicate record in one unit: BatchWriteItem refuses duplicate keys
				continue
			}
			seen[k] = true
			av, err := attributevalue.MarshalMap(it)
			if err != nil {
				return fmt.Errorf("audit: encode event %s: %w", it.EventID, err)
			}
			reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: av}})
		}
	}
	for len(reqs) > 0 {
		n := min(25, len(reqs))
		part := reqs[:n]
		*jobs = append(*jobs, func(ctx context.Context) error { return s.batchWrite(ctx, part) })
		reqs = reqs[n:]
	}
	return nil
}

// batchWrite writes up to 25 puts, retrying unprocessed items with backoff.
func (s *Store) batchWrite(ctx context.Context, reqs []ddbtypes.WriteRequest) error {
	for attempt := 0; ; attempt++ {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]ddbtypes.WriteRequest{s.cfg.Table: reqs},
		})
		if err != nil {
			return fmt.Errorf("audit: write events: %w", err)
		}
		reqs = out.UnprocessedItems[s.cfg.Table]
		if len(reqs) == 0 {
			return nil
		}
		if attempt >= 8 {
			return fmt.Errorf("audit: write events: %d items unprocessed after retries", len(reqs))
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

func backoff(attempt int) time.Duration { return time.Duration(25<<min(attempt, 6)) * time.Millisecond }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func sortedKeys[K comparable, V any](m map[K]V, less func(a, b K) bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return keys
}

func (s *Store) putSeen(b *Batch, jobs *[]job) {
	keys := sortedKeys(b.seen, func(x, y seenKey) bool {
		if x.resource != y.resource {
			return x.resource < y.resource
		}
		if x.kind != y.kind {
			return x.kind < y.kind
		}
		return x.value < y.value
	})
	for _, k := range keys {
		v := b.seen[k]
		ts := v.t.UTC().Format(timeLayout)
		ck := "s|" + k.resource + "|" + k.kind + "|" + k.value
		if prev, ok := s.cache.get(ck); ok && prev <= ts+"|"+v.eventID {
			continue // an earlier or equal (time, event id) is already stored
		}
		in := &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.cfg.Table),
			Key:                      itemKey(table.AuditSeenPK(k.resource), table.AuditSeenSK(k.kind, k.value)),
			UpdateExpression:         aws.String("SET #type = :type, #res = :res, #kind = :kind, #value = :value, #first = :t, #eid = :eid"),
			ConditionExpression:      aws.String("attribute_not_exists(#first) OR #first > :t OR (#first = :t AND #eid > :eid)"),
			ExpressionAttributeNames: map[string]string{"#type": "type", "#res": "resource", "#kind": "kind", "#value": "value", "#first": "firstSeen", "#eid": "firstEventId"},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
				":type": str(table.TypeAuditSeen), ":res": str(k.resource), ":kind": str(k.kind),
				":value": str(k.value), ":t": str(ts), ":eid": str(v.eventID),
			},
		}
		mark := ts + "|" + v.eventID
		*jobs = append(*jobs, func(ctx context.Context) error {
			if _, err := s.db.UpdateItem(ctx, in); err != nil && !isConditionFailed(err) {
				return fmt.Errorf("audit: first seen %s on %s: %w", k.kind, k.resource, err)
			}
			s.cache.put(ck, mark)
			return nil
		})
	}
}

func (s *Store) putLastUse(b *Batch, jobs *[]job) {
	keys := sortedKeys(b.lastUse, func(x, y lastUseKey) bool {
		if x.resource != y.resource {
			return x.resource < y.resource
		}
		if x.op != y.op {
			return x.op < y.op
		}
		return x.class < y.class
	})
	for _, k := range keys {
		v := b.lastUse[k]
		ts := v.t.UTC().Format(timeLayout)
		ck := "l|" + k.resource + "|" + k.op + "|" + k.class
		if prev, ok := s.cache.get(ck); ok && prev >= ts+"|"+v.eventID {
			continue // a later or equal (time, event id) is already stored
		}
		in := &dynamodb.UpdateItemInput{
			TableName: aws.String(s.cfg.Table),
			Key:       itemKey(table.AuditSeenPK(k.resource), table.AuditLastUseSK(k.op, k.class)),
			UpdateExpression: aws.String("SET #type = :type, #res = :res, #op = :op, #class = :class, #t = :t, " +
				"#eid = :eid, #prn = :prn, #arn = :arn, #net = :net, #err = :err"),
			ConditionExpression: aws.String("attribute_not_exists(#t) OR #t < :t OR (#t = :t AND #eid < :eid)"),
			ExpressionAttributeNames: map[string]string{"#type": "type", "#res": "resource", "#op": "op", "#class": "class",
				"#t": "lastTime", "#eid": "eventId", "#prn": "principal", "#arn": "principalArn", "#net": "network", "#err": "errorCode"},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
				":type": str(table.TypeAuditLastUse), ":res": str(k.resource), ":op": str(k.op), ":class": str(k.class),
				":t": str(ts), ":eid": str(v.eventID), ":prn": str(v.principal), ":arn": str(v.arn),
				":net": str(v.netw), ":err": str(v.errorCode),
			},
		}
		mark := ts + "|" + v.eventID
		*jobs = append(*jobs, func(ctx context.Context) error {
			if _, err := s.db.UpdateItem(ctx, in); err != nil && !isConditionFailed(err) {
				return fmt.Errorf("audit: last use %s on %s: %w", k.op, k.resource, err)
			}
			s.cache.put(ck, mark)
			return nil
		})
	}
}

func (s *Store) putActivity(b *Batch, jobs *[]job) {
	keys := sortedKeys(b.activity, func(x, y activityKey) bool {
		if x.hour != y.hour {
			return x.hour < y.hour
		}
		return x.resource < y.resource
	})
	for _, k := range keys {
		a := b.activity[k]
		hour := time.Unix(k.hour*3600, 0).UTC()
		var mins, ops, failed []string
		ckBase := "a|" + strconv.FormatInt(k.hour, 10) + "|" + k.resource + "|"
		for m := range 60 {
			if a.minutes&(1<<uint(m)) != 0 {
				ms := hour.Add(time.Duration(m) * time.Minute).Format("15:04")
				if _, ok := s.cache.get(ckBase + "m" + ms); !ok {
					mins = append(mins, ms)
				}
			}
		}
		for op := range a.ops {
			if _, ok := s.cache.get(ckBase + "o" + op); !ok {
				ops = append(ops, op)
			}
		}
		for op := range a.failed {
			if _, ok := s.cache.get(ckBase + "f" + op); !ok {
				failed = append(failed, op)
			}
		}
		if len(mins)+len(ops)+len(failed) == 0 {
			continue
		}
		expr := "SET #type = :type, #hour = :hour, #ttl = :ttl ADD "
		names := map[string]string{"#type": "type", "#hour": "hour", "#ttl": table.AttrTTL}
		vals := map[string]ddbtypes.AttributeValue{
			":type": str(table.TypeAuditActivity), ":hour": str(hour.Format(table.AuditHourLayout)),
			":ttl": num(ttl(hour, 8*24*time.Hour)),
		}
		sep := ""
		for _, set := range []struct {
			attr, ph string
			vals     []string
		}{{"minutes", ":m", mins}, {"ops", ":o", ops}, {"failedOps", ":f", failed}} {
			if len(set.vals) == 0 {
				continue
			}
			sort.Strings(set.vals)
			names["#"+set.attr] = set.attr
			vals[set.ph] = &ddbtypes.AttributeValueMemberSS{Value: set.vals}
			expr += sep + "#" + set.attr + " " + set.ph
			sep = ", "
		}
		in := &dynamodb.UpdateItemInput{
			TableName:                 aws.String(s.cfg.Table),
			Key:                       itemKey(table.AuditActivityPK(hour, table.AuditActivityShard(k.resource)), k.resource),
			UpdateExpression:          aws.String(expr),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: vals,
		}
		res := k.resource
		*jobs = append(*jobs, func(ctx context.Context) error {
			if _, err := s.db.UpdateItem(ctx, in); err != nil {
				return fmt.Errorf("audit: activity of %s: %w", res, err)
			}
			for _, m := range mins {
				s.cache.put(ckBase+"m"+m, "")
			}
			for _, op := range ops {
				s.cache.put(ckBase+"o"+op, "")
			}
			for _, op := range failed {
				s.cache.put(ckBase+"f"+op, "")
			}
			return nil
		})
	}
}

// counterUpdate is one increment of a counter or usage item.
type counterUpdate struct {
	pk, sk string
	n      int64
	item   map[string]ddbtypes.AttributeValue // attributes SET on the item
	// samples are set only if the item has none yet (bounded, first wins)
	samples ddbtypes.AttributeValue
}

// counterUpdates derives every increment of the batch: usage items, resource
// counters and principal counters per minute and hour, merged and sorted so that
// the same batch always yields the same list.
func (s *Store) counterUpdates(unit string, b *Batch) []counterUpdate {
	shard := shardOf(unit, s.cfg.Shards)
	merged := map[[2]string]*counterUpdate{}
	add := func(pk, sk string, n int64, item map[string]ddbtypes.AttributeValue) *counterUpdate {
		k := [2]string{pk, sk}
		if u := merged[k]; u != nil {
			u.n += n
			return u
		}
		u := &counterUpdate{pk: pk, sk: sk, n: n, item: item}
		merged[k] = u
		return u
	}
	counter := func(pk, subject, gran string, t time.Time, op, outcome string, n int64, keep time.Duration) {
		sk := table.AuditCounterSK(gran, t, op, outcome, shard)
		if u := merged[[2]string{pk, sk}]; u != nil {
			u.n += n
			return
		}
		add(pk, sk, n, map[string]ddbtypes.AttributeValue{
			"type": str(table.TypeAuditCounter), "subject": str(subject), "gran": str(gran),
			"bucket": str(table.AuditBucket(gran, t)), "op": str(op), "outcome": str(outcome),
			"shard": num(int64(shard)), table.AttrTTL: num(ttl(t, keep)),
		})
	}
	for _, k := range b.order {
		a := b.usage[k]
		t := time.Unix(k.minute*60, 0).UTC()
		sk := table.AuditUsageSK(t, k.op, k.outcome, k.principal, k.network, shard)
		pk := table.AuditResourceCounterPK(k.resource)
		if _, dup := merged[[2]string{pk, sk}]; !dup {
			u := add(pk, sk, a.n, map[string]ddbtypes.AttributeValue{
				"type": str(table.TypeAuditUsage), "resource": str(k.resource),
				"minute": str(t.Format(table.AuditMinuteLayout)), "op": str(k.op), "outcome": str(k.outcome),
				"principal": str(k.principal), "network": str(k.network), "shard": num(int64(shard)),
				table.AttrTTL:    num(ttl(t, s.cfg.MinuteRetention)),
				table.AttrGSI2PK: str(table.AuditUsageWindowGSI2PK(t, shard)),
				table.AttrGSI2SK: str(k.resource + "#" + sk),
			})
			samples := a.samples[:min(len(a.samples), s.cfg.SampleSize)]
			if av, err := attributevalue.Marshal(samples); err == nil {
				u.samples = av
			}
		} else {
			merged[[2]string{pk, sk}].n += a.n
		}
		counter(pk, k.resource, table.AuditGranMinute, t, k.op, k.outcome, a.n, s.cfg.MinuteRetention)
		counter(pk, k.resource, table.AuditGranHour, t, k.op, k.outcome, a.n, s.cfg.HourRetention)
	}
	// Principal counters count each call once, whatever the number of resources it names.
	for _, k := range b.porder {
		t := time.Unix(k.minute*60, 0).UTC()
		pk := table.AuditPrincipalCounterPK(k.principal)
		n := b.pcount[k]
		counter(pk, k.principal, table.AuditGranMinute, t, k.op, k.outcome, n, s.cfg.MinuteRetention)
		counter(pk, k.principal, table.AuditGranHour, t, k.op, k.outcome, n, s.cfg.HourRetention)
	}
	out := make([]counterUpdate, 0, len(merged))
	for _, u := range merged {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].pk != out[j].pk {
			return out[i].pk < out[j].pk
		}
		return out[i].sk < out[j].sk
	})
	return out
}

func shardOf(unit string, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(unit))
	return int(h.Sum32() % uint32(shards))
}

func (s *Store) putCounters(unit string, b *Batch, now time.Time, jobs *[]job) error {
	ups := s.counterUpdates(unit, b)
	chunks := (len(ups) + s.cfg.ChunkSize - 1) / s.cfg.ChunkSize
	for i := range chunks {
		part := ups[i*s.cfg.ChunkSize : min(len(ups), (i+1)*s.cfg.ChunkSize)]
		items, err := s.chunkItems(unit, i, chunks, part, now)
		if err != nil {
			return err
		}
		*jobs = append(*jobs, func(ctx context.Context) error { return s.applyChunk(ctx, unit, i, chunks, items) })
	}
	return nil
}

// chunkItems is one transaction: the chunk's marker (which must not exist) and
// its increments.
func (s *Store) chunkItems(unit string, i, n int, part []counterUpdate, now time.Time) ([]ddbtypes.TransactWriteItem, error) {
	marker, err := attributevalue.MarshalMap(table.AuditMarker{
		PK: table.AuditMarkerPK(unit), SK: table.AuditMarkerSK(i, n), TTL: ttl(now, s.cfg.MarkerRetention),
		Type: table.TypeAuditMarker, Applied: now.UTC().Format(timeLayout), Items: len(part),
	})
	if err != nil {
		return nil, fmt.Errorf("audit: encode marker: %w", err)
	}
	items := []ddbtypes.TransactWriteItem{{Put: &ddbtypes.Put{
		TableName:                aws.String(s.cfg.Table),
		Item:                     marker,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": table.AttrPK},
	}}}
	for _, u := range part {
		items = append(items, ddbtypes.TransactWriteItem{Update: u.update(s.cfg.Table)})
	}
	return items, nil
}

func (s *Store) applyChunk(ctx context.Context, unit string, i, n int, items []ddbtypes.TransactWriteItem) error {
	for attempt := 0; ; attempt++ {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		var tce *ddbtypes.TransactionCanceledException
		if errors.As(err, &tce) && len(tce.CancellationReasons) > 0 &&
			aws.ToString(tce.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
			return nil // this chunk was applied by an earlier delivery
		}
		if !retryableTransaction(err) || attempt >= 6 {
			return fmt.Errorf("audit: apply counters chunk %d/%d of %s: %w", i, n, unit, err)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

func retryableTransaction(err error) bool {
	var tce *ddbtypes.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
				return true
			}
		}
		return false
	}
	var tip *ddbtypes.TransactionInProgressException
	return errors.As(err, &tip)
}

func (u counterUpdate) update(tableName string) *ddbtypes.Update {
	names := map[string]string{"#n": "n"}
	vals := map[string]ddbtypes.AttributeValue{":n": num(u.n)}
	expr := "SET "
	keys := make([]string, 0, len(u.item))
	for k := range u.item {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		ph := "a" + strconv.Itoa(i)
		names["#"+ph] = k
		vals[":"+ph] = u.item[k]
		if i > 0 {
			expr += ", "
		}
		expr += "#" + ph + " = :" + ph
	}
	if u.samples != nil {
		names["#samples"] = "samples"
		vals[":samples"] = u.samples
		expr += ", #samples = if_not_exists(#samples, :samples)"
	}
	expr += " ADD #n :n"
	return &ddbtypes.Update{
		TableName:                 aws.String(tableName),
		Key:                       itemKey(u.pk, u.sk),
		UpdateExpression:          aws.String(expr),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
	}
}

func str(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }

func num(v int64) ddbtypes.AttributeValue {
	return &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func isConditionFailed(err error) bool {
	var ccf *ddbtypes.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
