package audit

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// countingDB counts requests per operation and can inject a crash: the write
// number crashAt (1-based) fails, either before reaching DynamoDB or after it
// was applied (the reply lost), as a Lambda timeout would.
type countingDB struct {
	DB
	mu         sync.Mutex
	calls      map[string]int
	writes     int
	crashAt    int
	crashAfter bool // apply the crashing write, then fail
}

var errCrash = errors.New("injected crash")

func newCountingDB(db DB) *countingDB { return &countingDB{DB: db, calls: map[string]int{}} }

func (c *countingDB) count(op string, write bool) (crash bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[op]++
	if write {
		c.writes++
		return c.crashAt > 0 && c.writes == c.crashAt
	}
	return false
}

func (c *countingDB) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

func (c *countingDB) writeCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

func crashWrite[I, O any](c *countingDB, op string, call func() (O, error)) (O, error) {
	var zero O
	if c.count(op, true) {
		if c.crashAfter {
			_, _ = call()
		}
		return zero, errCrash
	}
	return call()
}

func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.count("Query", false)
	return c.DB.Query(ctx, in, o...)
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.count("GetItem", false)
	return c.DB.GetItem(ctx, in, o...)
}

func (c *countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return crashWrite[*dynamodb.UpdateItemInput](c, "UpdateItem", func() (*dynamodb.UpdateItemOutput, error) { return c.DB.UpdateItem(ctx, in, o...) })
}

func (c *countingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return crashWrite[*dynamodb.BatchWriteItemInput](c, "BatchWriteItem", func() (*dynamodb.BatchWriteItemOutput, error) { return c.DB.BatchWriteItem(ctx, in, o...) })
}

func (c *countingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return crashWrite[*dynamodb.TransactWriteItemsInput](c, "TransactWriteItems", func() (*dynamodb.TransactWriteItemsOutput, error) { return c.DB.TransactWriteItems(ctx, in, o...) })
}
