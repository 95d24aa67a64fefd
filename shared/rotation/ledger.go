package rotation

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/keyward/keyward/shared/table"
)

// LedgerEntry is one executed step: which secret and token, the outcome and its cause.
type LedgerEntry struct {
	SecretID   string // the secret's ARN when DescribeSecret answered
	Token      string
	Step       string
	Strategy   string
	Outcome    string
	ErrorClass string
	At         time.Time
	Duration   time.Duration
}

// Ledger records rotation steps.
type Ledger interface {
	Record(ctx context.Context, e LedgerEntry) error
}

// DynamoDBPutter is the part of the DynamoDB API the ledger uses.
type DynamoDBPutter interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// TableLedger writes the ledger into keyward's table (see table.RotationEntry).
type TableLedger struct {
	DB    DynamoDBPutter
	Table string
}

// Record writes the entry and, after a successful finishSecret, the secret's
// rotation status item that the alarms read for "rotation overdue".
func (l TableLedger) Record(ctx context.Context, e LedgerEntry) error {
	item := table.NewRotationEntry(e.SecretID, e.Token, e.Step, e.Strategy, e.Outcome, e.ErrorClass, e.At, e.Duration)
	if err := l.put(ctx, item); err != nil {
		return err
	}
	if e.Step == string(StepFinish) && e.Outcome == OutcomeSucceeded {
		return l.put(ctx, table.NewRotationStatus(e.SecretID, e.Strategy, e.Token, e.At))
	}
	return nil
}

func (l TableLedger) put(ctx context.Context, v any) error {
	av, err := attributevalue.MarshalMap(v)
	if err != nil {
		return fmt.Errorf("rotation ledger: marshal: %w", err)
	}
	if _, err := l.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(l.Table), Item: av}); err != nil {
		return fmt.Errorf("rotation ledger: PutItem: %w", err)
	}
	return nil
}
