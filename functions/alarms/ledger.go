package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

// Querier is the Query operation.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// RotationLedger reads the rotation function's ledger (shared/table/rotation.go):
// failed steps from the gsi1 partition ROTATION#FAILED and completed rotations
// from the gsi2 partition ROTATION#LAST_SUCCESS, both by time. Two Queries.
type RotationLedger struct {
	DB    Querier
	Table string
}

// Entries returns failures and completed rotations in [from, to).
func (l RotationLedger) Entries(ctx context.Context, from, to time.Time) ([]rules.LedgerEntry, error) {
	lo, hi := from.UTC().Format(table.SortableTime), to.UTC().Format(table.SortableTime)
	var out []rules.LedgerEntry
	fails, err := l.query(ctx, table.IndexGSI1, table.AttrGSI1PK, table.AttrGSI1SK, table.RotationFailedGSI1PK, lo, hi)
	if err != nil {
		return nil, err
	}
	for _, av := range fails {
		var it table.RotationEntry
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("rotation ledger entry: %w", err)
		}
		at, _ := time.Parse(table.SortableTime, it.At)
		out = append(out, rules.LedgerEntry{SecretARN: it.SecretARN, Token: it.Token, Step: it.Step,
			Outcome: "failure", ErrorClass: it.ErrorClass, Time: at})
	}
	done, err := l.query(ctx, table.IndexGSI2, table.AttrGSI2PK, table.AttrGSI2SK, table.RotationStatusGSI2PK, lo, hi)
	if err != nil {
		return nil, err
	}
	for _, av := range done {
		var it table.RotationStatus
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("rotation status: %w", err)
		}
		at, _ := time.Parse(table.SortableTime, it.LastSucceededAt)
		out = append(out, rules.LedgerEntry{SecretARN: it.SecretARN, Token: it.LastToken, Step: "finishSecret",
			Outcome: "success", Time: at})
	}
	return out, nil
}

// query reads one time range [lo, hi) of a GSI partition whose sort keys start
// with a SortableTime.
func (l RotationLedger) query(ctx context.Context, index, pkAttr, skAttr, pk, lo, hi string) ([]map[string]ddbtypes.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(l.Table),
		IndexName:                aws.String(index),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{"#pk": pkAttr, "#sk": skAttr},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":pk": &ddbtypes.AttributeValueMemberS{Value: pk},
			":lo": &ddbtypes.AttributeValueMemberS{Value: lo},
			":hi": &ddbtypes.AttributeValueMemberS{Value: hi},
		},
	}
	var out []map[string]ddbtypes.AttributeValue
	p := dynamodb.NewQueryPaginator(l.DB, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("rotation ledger %s: %w", pk, err)
		}
		for _, it := range page.Items {
			if sk, ok := it[skAttr].(*ddbtypes.AttributeValueMemberS); ok && sk.Value >= hi {
				continue // BETWEEN is inclusive; the window is not
			}
			out = append(out, it)
		}
	}
	return out, nil
}
