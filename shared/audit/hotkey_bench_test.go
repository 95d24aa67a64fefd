package audit

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// nopDB accepts every request (the benchmark counts requests, it does not store).
type nopDB struct{}

func (nopDB) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{}, nil
}

func (nopDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

func (nopDB) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{}, nil
}

func (nopDB) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return &dynamodb.BatchWriteItemOutput{}, nil
}

func (nopDB) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

// BenchmarkHotKey ingests a log file of 10,000 Decrypts of one key by one caller
// in one minute (parse, aggregate, Apply) through a counting client, reporting
// the DynamoDB requests per 10,000 Decrypts (cold instance: no write cache).
func BenchmarkHotKey(b *testing.B) {
	data := hotKeyLogFile(b, 10_000)
	p := NewParser(ParserConfig{ContextKey: testContextKey})
	var requests int
	for b.Loop() {
		batch := NewBatch()
		if _, err := p.ParseLogFile(data, batch.Add); err != nil {
			b.Fatal(err)
		}
		db := newCountingDB(nopDB{})
		if err := NewStore(db, StoreConfig{}).Apply(context.Background(), "s3:hot", batch); err != nil {
			b.Fatal(err)
		}
		requests = db.total()
	}
	b.ReportMetric(float64(requests), "requests/10k-decrypts")
	b.ReportMetric(float64(b.N)*10_000/b.Elapsed().Seconds(), "records/s")
}
