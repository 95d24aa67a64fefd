package audit

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keyward/keyward/shared/table"
)

// keyRange is one Query: partition value and a sort-key range [lo, hi).
type keyRange struct {
	index      string // "" for the table
	pkAttr     string
	skAttr     string
	pk, lo, hi string
	prefix     bool // sort key begins_with lo (hi unused)
	limit      int  // 0: all
	descending bool
}

// queryItems runs one Query to completion (or limit) and unmarshals each item into
// T. The upper bound is exclusive: BETWEEN lo AND hi, then items equal to hi dropped.
func queryItems[T any](ctx context.Context, s *Store, r keyRange, sk func(*T) string) ([]T, error) {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.cfg.Table),
		ExpressionAttributeNames: map[string]string{"#pk": r.pkAttr, "#sk": r.skAttr},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":pk": &ddbtypes.AttributeValueMemberS{Value: r.pk},
			":lo": &ddbtypes.AttributeValueMemberS{Value: r.lo},
		},
		ScanIndexForward: aws.Bool(!r.descending),
	}
	if r.index != "" {
		in.IndexName = aws.String(r.index)
	}
	switch {
	case r.prefix && r.lo == "":
		in.KeyConditionExpression = aws.String("#pk = :pk")
		delete(in.ExpressionAttributeValues, ":lo")
		delete(in.ExpressionAttributeNames, "#sk")
	case r.prefix:
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :lo)")
	default:
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi")
		in.ExpressionAttributeValues[":hi"] = &ddbtypes.AttributeValueMemberS{Value: r.hi}
	}
	var out []T
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("audit: query %s: %w", r.pk, err)
		}
		for _, it := range page.Items {
			var v T
			if err := attributevalue.UnmarshalMap(it, &v); err != nil {
				return nil, fmt.Errorf("audit: decode item of %s: %w", r.pk, err)
			}
			if !r.prefix && sk != nil && sk(&v) >= r.hi {
				continue
			}
			out = append(out, v)
			if r.limit > 0 && len(out) >= r.limit {
				return out, nil
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

func tableRange(pk, lo, hi string) keyRange {
	return keyRange{pkAttr: table.AttrPK, skAttr: table.AttrSK, pk: pk, lo: lo, hi: hi}
}
