package audit

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keyward/keyward/shared/table"
)

// DB is the part of the DynamoDB client the store uses (the SDK's signatures, so
// *dynamodb.Client satisfies it and tests can wrap it to count or fail calls).
type DB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// StoreConfig configures a Store. Zero values take the defaults below.
type StoreConfig struct {
	Table string // default table.DefaultName
	// Shards spreads each counter over this many items (writers pick one per
	// delivery unit; readers sum all). Default 4. Readers must use the writers' value
	// or larger.
	Shards          int
	SampleSize      int           // raw calls kept per usage item; default 3
	EventRetention  time.Duration // individual events; default 400 days
	MinuteRetention time.Duration // minute counters and usage items; default 35 days
	HourRetention   time.Duration // hour counters; default 400 days
	MarkerRetention time.Duration // idempotency markers; default 15 days (> SQS max retention)
	ChunkSize       int           // counter updates per transaction (≤ 99); default 99
	Concurrency     int           // writes in flight per Apply; default 16
}

func (c StoreConfig) withDefaults() StoreConfig {
	if c.Table == "" {
		c.Table = table.DefaultName
	}
	if c.Shards <= 0 {
		c.Shards = 4
	}
	if c.SampleSize <= 0 {
		c.SampleSize = 3
	}
	day := 24 * time.Hour
	if c.EventRetention <= 0 {
		c.EventRetention = 400 * day
	}
	if c.MinuteRetention <= 0 {
		c.MinuteRetention = 35 * day
	}
	if c.HourRetention <= 0 {
		c.HourRetention = 400 * day
	}
	if c.MarkerRetention <= 0 {
		c.MarkerRetention = 15 * day
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.ChunkSize <= 0 || c.ChunkSize > 99 {
		c.ChunkSize = 99
	}
	return c
}

// Store writes aggregated CloudTrail batches to the keyward table and serves the
// read API. It is safe for concurrent use.
type Store struct {
	db    DB
	cfg   StoreConfig
	cache *writeCache
}

// NewStore returns a Store over db.
func NewStore(db DB, cfg StoreConfig) *Store {
	return &Store{db: db, cfg: cfg.withDefaults(), cache: newWriteCache(100_000)}
}
