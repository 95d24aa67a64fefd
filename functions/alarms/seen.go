package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

// seenKinds maps the rules' caller kinds to the audit store's seen kinds.
var seenKinds = map[string]string{
	rules.CallerResource:  table.AuditSeenResource,
	rules.CallerPrincipal: table.AuditSeenPrincipal,
	rules.CallerSource:    table.AuditSeenNetwork,
}

// FirstSeen reads the audit store's first-seen items for many callers at once
// (BatchGetItem by the table's key builders, 100 keys per request), where the
// audit read API offers one GetItem per caller.
type FirstSeen struct {
	DB          alarmstate.BatchGetter
	Table       string
	Concurrency int
}

// Lookup returns when each caller was first seen (absent: never).
func (f FirstSeen) Lookup(ctx context.Context, callers []rules.Caller) (map[rules.Caller]time.Time, error) {
	out := make(map[rules.Caller]time.Time, len(callers))
	results := make([][]map[string]ddbtypes.AttributeValue, (len(callers)+99)/100)
	var g errgroup.Group
	g.SetLimit(max(1, f.Concurrency))
	for i := 0; i*100 < len(callers); i++ {
		chunk := callers[i*100 : min(len(callers), (i+1)*100)]
		g.Go(func() error {
			keys := make([]map[string]ddbtypes.AttributeValue, 0, len(chunk))
			for _, c := range chunk {
				keys = append(keys, keyOf(table.AuditSeenPK(c.Resource), table.AuditSeenSK(seenKinds[c.Kind], c.Value)))
			}
			got, err := alarmstate.BatchGet(ctx, f.DB, f.Table, keys)
			results[i] = got
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("first seen: %w", err)
	}
	kindOf := map[string]string{}
	for k, v := range seenKinds {
		kindOf[v] = k
	}
	for _, items := range results {
		for _, av := range items {
			var it table.AuditSeen
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("decode first seen: %w", err)
			}
			t, err := time.Parse(time.RFC3339Nano, it.FirstSeen)
			if err != nil {
				return nil, fmt.Errorf("first seen time %q: %w", it.FirstSeen, err)
			}
			out[rules.Caller{Resource: it.Resource, Kind: kindOf[it.Kind], Value: it.Value}] = t
		}
	}
	return out, nil
}
