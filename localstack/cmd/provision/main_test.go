package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/shared/table"
)

func TestEnsureTableIsIdempotent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := ddblocal.Start(ctx, ddblocal.Options{})
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("DynamoDB Local is required in CI: %v", err)
		}
		t.Skipf("DynamoDB Local unavailable (run make tools): %v", err)
	}
	defer p.Stop()
	c := newClient(p.URL)
	if err := waitForEndpoint(ctx, c, p.URL, time.Minute); err != nil {
		t.Fatal(err)
	}
	for i, wantCreated := range []bool{true, false} {
		created, err := ensureTable(ctx, c, "provision-test")
		if err != nil || created != wantCreated {
			t.Fatalf("run %d: created=%v err=%v, want created=%v", i+1, created, err, wantCreated)
		}
	}
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("provision-test")})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(desc.Table.GlobalSecondaryIndexes); n != len(table.Indexes) {
		t.Errorf("%d GSIs, want %d", n, len(table.Indexes))
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("provision-test")})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != table.AttrTTL ||
		d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled {
		t.Errorf("TTL = %+v, want enabled on %q", d, table.AttrTTL)
	}
}

func TestWaitGivesUpOnADeadEndpoint(t *testing.T) {
	err := waitForEndpoint(context.Background(), newClient("http://127.0.0.1:1"), "http://127.0.0.1:1", 300*time.Millisecond)
	if err == nil {
		t.Fatal("waiting on a closed port succeeded")
	}
}
