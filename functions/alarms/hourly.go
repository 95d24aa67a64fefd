package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

// keepWeeks is how many weeks of one hour of week a usage item keeps (the
// current week and the baseline weeks before it).
const keepWeeks = 5

// Hourly maintains the alarms function's usage rollup (table.UsageHourItem): per
// resource and hour of week, per week and operation, the count of each 5-minute
// window. Setting a window's slot (never adding) keeps re-evaluation idempotent.
// One BatchGetItem per 100 resources and one BatchWriteItem per 25.
type Hourly struct {
	DB interface {
		alarmstate.BatchGetter
		BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	}
	Table       string
	Concurrency int
}

// Update records counts (resource × operation for window w) and returns the
// hour-to-date and past-week totals for each.
func (h Hourly) Update(ctx context.Context, w alarmstate.Window, counts map[rules.ResourceOp]int64) (map[rules.ResourceOp]rules.HourlyUsage, error) {
	byRes := map[string]map[string]int64{}
	for k, n := range counts {
		if byRes[k.Resource] == nil {
			byRes[k.Resource] = map[string]int64{}
		}
		byRes[k.Resource][k.Operation] = n
	}
	resources := make([]string, 0, len(byRes))
	for r := range byRes {
		resources = append(resources, r)
	}
	slices.Sort(resources)
	items, err := h.read(ctx, resources, w.Start)
	if err != nil {
		return nil, err
	}
	week, slot := table.WeekOf(w.Start), table.UsageSlot(w.Start)
	out := map[rules.ResourceOp]rules.HourlyUsage{}
	writes := make([]ddbtypes.WriteRequest, 0, len(resources))
	for _, res := range resources {
		it := items[res]
		if it.Weeks == nil {
			it.PK, it.SK = table.UsageHourKey(res, w.Start)
			it.Weeks = map[string]map[string][]int64{}
		}
		if it.Weeks[week] == nil {
			it.Weeks[week] = map[string][]int64{}
		}
		changed := false
		for op, n := range byRes[res] {
			slots := it.Weeks[week][op]
			if len(slots) != table.UsageSlots {
				slots = append(slots, make([]int64, table.UsageSlots)...)[:table.UsageSlots]
				changed = true
			}
			if slots[slot] != n {
				slots[slot], changed = n, true
			}
			it.Weeks[week][op] = slots
			hu := rules.HourlyUsage{Current: sum(slots)}
			for k := 1; k < keepWeeks; k++ {
				past := table.WeekOf(w.Start.AddDate(0, 0, -7*k))
				if s, ok := it.Weeks[past][op]; ok {
					hu.PastWeeks = append(hu.PastWeeks, sum(s))
				}
			}
			out[rules.ResourceOp{Resource: res, Operation: op}] = hu
		}
		oldest := table.WeekOf(w.Start.AddDate(0, 0, -7*(keepWeeks-1)))
		for wk := range it.Weeks {
			if wk < oldest {
				delete(it.Weeks, wk)
				changed = true
			}
		}
		if !changed {
			continue // a re-evaluated window: nothing to write
		}
		it.Type, it.TTL = table.TypeAlarmUsage, w.End.Add(table.UsageHourTTL).Unix()
		av, err := attributevalue.MarshalMap(it)
		if err != nil {
			return nil, fmt.Errorf("usage rollup %s: %w", res, err)
		}
		writes = append(writes, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: av}})
	}
	if err := h.write(ctx, writes); err != nil {
		return nil, err
	}
	return out, nil
}

func (h Hourly) read(ctx context.Context, resources []string, t time.Time) (map[string]table.UsageHourItem, error) {
	out := make(map[string]table.UsageHourItem, len(resources))
	var g errgroup.Group
	g.SetLimit(h.concurrency())
	results := make([][]map[string]ddbtypes.AttributeValue, (len(resources)+99)/100)
	for i := 0; i*100 < len(resources); i++ {
		chunk := resources[i*100 : min(len(resources), (i+1)*100)]
		g.Go(func() error {
			keys := make([]map[string]ddbtypes.AttributeValue, 0, len(chunk))
			for _, r := range chunk {
				pk, sk := table.UsageHourKey(r, t)
				keys = append(keys, keyOf(pk, sk))
			}
			got, err := alarmstate.BatchGet(ctx, h.DB, h.Table, keys)
			results[i] = got
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("read usage rollup: %w", err)
	}
	for _, items := range results {
		for _, av := range items {
			var it table.UsageHourItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("decode usage rollup: %w", err)
			}
			out[table.ResourceOfUsagePK(it.PK)] = it
		}
	}
	return out, nil
}

func (h Hourly) write(ctx context.Context, reqs []ddbtypes.WriteRequest) error {
	var g errgroup.Group
	g.SetLimit(h.concurrency())
	for i := 0; i < len(reqs); i += 25 {
		chunk := reqs[i:min(len(reqs), i+25)]
		g.Go(func() error { return batchWrite(ctx, h.DB, h.Table, chunk) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("write usage rollup: %w", err)
	}
	return nil
}

func (h Hourly) concurrency() int { return max(1, h.Concurrency) }

type batchWriter interface {
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// batchWrite writes up to 25 requests, retrying unprocessed items.
func batchWrite(ctx context.Context, db batchWriter, tbl string, reqs []ddbtypes.WriteRequest) error {
	pending := map[string][]ddbtypes.WriteRequest{tbl: reqs}
	for attempt := 0; len(pending[tbl]) > 0; attempt++ {
		if attempt > 8 {
			return fmt.Errorf("batch write: %d items still unprocessed", len(pending[tbl]))
		}
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
			}
		}
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		pending = out.UnprocessedItems
	}
	return nil
}

func keyOf(pk, sk string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		table.AttrPK: &ddbtypes.AttributeValueMemberS{Value: pk},
		table.AttrSK: &ddbtypes.AttributeValueMemberS{Value: sk},
	}
}

func sum(s []int64) int64 {
	var n int64
	for _, v := range s {
		n += v
	}
	return n
}
