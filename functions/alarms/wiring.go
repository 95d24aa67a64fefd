package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
)

// DynamoDB is the part of the DynamoDB client the evaluator's own reads and
// writes use (alarm state, usage rollup, batched first-seen).
type DynamoDB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// NewEvaluator returns an evaluator with the rules of rc over the audit store a
// and the table tbl, with defaults (5-minute window, concurrency 16, re-notify
// after 24 h); callers set Notifier, Metrics, Ledger, Account and Region.
func NewEvaluator(db DynamoDB, a Audit, tbl string, rc rules.Config) *Evaluator {
	const conc = 16
	return &Evaluator{
		Audit:         a,
		FirstSeen:     FirstSeen{DB: db, Table: tbl, Concurrency: conc},
		Hourly:        Hourly{DB: db, Table: tbl, Concurrency: conc},
		Alarms:        alarmstate.Store{DB: db, Table: tbl},
		Ledger:        RotationLedger{DB: db, Table: tbl},
		Rules:         rules.Build(rc),
		Policy:        alarmstate.DefaultPolicy(),
		Account:       rc.Account,
		Window:        5 * time.Minute,
		AliasInUseFor: time.Duration(rc.AliasInUseFor),
		BaselineOps:   []string{rc.DecryptAnomaly.Operation, rc.SecretReads.Operation},
		Concurrency:   conc,
	}
}
