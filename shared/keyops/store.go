package keyops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/aws/smithy-go"

	"github.com/keyward/keyward/shared/table"
)

// Store reads and writes keyops items in the one table.
type Store struct {
	DB    DynamoDB
	Table string
}

func keyOf(pk, sk string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		table.AttrPK: &ddbtypes.AttributeValueMemberS{Value: pk},
		table.AttrSK: &ddbtypes.AttributeValueMemberS{Value: sk},
	}
}

func isConditionFailed(err error) bool {
	var cf *ddbtypes.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

func (s *Store) get(ctx context.Context, pk, sk string, consistent bool, out any) (bool, error) {
	res, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: keyOf(pk, sk), ConsistentRead: aws.Bool(consistent),
	})
	if err != nil {
		return false, dbErr("get %s: %w", pk, err)
	}
	if res.Item == nil {
		return false, nil
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return false, dbErr("decode %s: %w", pk, err)
	}
	return true, nil
}

func (s *Store) put(ctx context.Context, item any, cond string) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return dbErr("encode item: %w", err)
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: av}
	if cond != "" {
		in.ConditionExpression = aws.String(cond)
	}
	_, err = s.DB.PutItem(ctx, in)
	return err
}

// query runs a paginated query and appends every item decoded into T.
func query[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput) ([]T, error) {
	in.TableName = aws.String(s.Table)
	var out []T
	for {
		res, err := s.DB.Query(ctx, in)
		if err != nil {
			return nil, dbErr("query: %w", err)
		}
		var page []T
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &page); err != nil {
			return nil, dbErr("decode query page: %w", err)
		}
		out = append(out, page...)
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

func str(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }

func beginsWith(pk, prefix string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :p)"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.AttrPK, "#sk": table.AttrSK},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": str(pk), ":p": str(prefix)},
		ConsistentRead:            aws.Bool(true),
	}
}

// GetKey reads the registry item of alias.
func (st *Store) GetKey(ctx context.Context, alias string) (table.KeyItem, bool, error) {
	var k table.KeyItem
	ok, err := st.get(ctx, table.KeyopsKeyPK(alias), table.KeyopsMetaSK, true, &k)
	return k, ok, err
}

// KeyByID finds the registry item of a KMS key id (gsi2).
func (st *Store) KeyByID(ctx context.Context, keyID string) (table.KeyItem, bool, error) {
	items, err := query[table.KeyItem](ctx, st, &dynamodb.QueryInput{
		IndexName:                 aws.String(table.IndexGSI2),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.AttrGSI2PK},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": str(table.KeyopsKeyIDGSI2PK(keyID))},
	})
	if err != nil || len(items) == 0 {
		return table.KeyItem{}, false, err
	}
	return items[0], true, nil
}

// ListKeys lists every registered key in alias order (gsi1).
func (st *Store) ListKeys(ctx context.Context) ([]table.KeyItem, error) {
	return query[table.KeyItem](ctx, st, &dynamodb.QueryInput{
		IndexName:                 aws.String(table.IndexGSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.AttrGSI1PK},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": str(table.KeyopsKeysGSI1PK)},
	})
}

// ClaimKey writes a new registry item unless the alias is already registered.
func (st *Store) ClaimKey(ctx context.Context, k table.KeyItem) error {
	err := st.put(ctx, k, "attribute_not_exists(pk)")
	if isConditionFailed(err) {
		return conflict("AliasExists", "alias %q is already registered", k.Alias)
	}
	if err != nil {
		return dbErr("claim alias %s: %w", k.Alias, err)
	}
	return nil
}

// PutKey overwrites a registry item.
func (st *Store) PutKey(ctx context.Context, k table.KeyItem) error {
	if err := st.put(ctx, k, ""); err != nil {
		return dbErr("put key %s: %w", k.Alias, err)
	}
	return nil
}

// DeleteKey removes a registry item (used to release a failed claim).
func (st *Store) DeleteKey(ctx context.Context, alias string) error {
	_, err := st.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(st.Table), Key: keyOf(table.KeyopsKeyPK(alias), table.KeyopsMetaSK),
	})
	if err != nil {
		return dbErr("delete key %s: %w", alias, err)
	}
	return nil
}

// SetKeyState records keyops' view of a key's state.
func (st *Store) SetKeyState(ctx context.Context, alias, state string, at time.Time) error {
	_, err := st.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.Table),
		Key:                       keyOf(table.KeyopsKeyPK(alias), table.KeyopsMetaSK),
		UpdateExpression:          aws.String("SET #st = :st, updatedAt = :at"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#st": "state"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":st": str(state), ":at": str(table.KeyopsTime(at))},
	})
	if isConditionFailed(err) {
		return notFound("key %q is not registered", alias)
	}
	if err != nil {
		return dbErr("set state of %s: %w", alias, err)
	}
	return nil
}

// PutUse records a use of a key through keyops.
func (st *Store) PutUse(ctx context.Context, u table.KeyUseItem) error {
	if err := st.put(ctx, u, ""); err != nil {
		return dbErr("record use of %s: %w", u.Alias, err)
	}
	return nil
}

// LastUse is the latest use of alias through keyops, by any principal.
func (st *Store) LastUse(ctx context.Context, alias string) (Use, bool, error) {
	uses, err := query[table.KeyUseItem](ctx, st, beginsWith(table.KeyopsKeyPK(alias), table.KeyopsUseSKPrefix))
	if err != nil {
		return Use{}, false, dbErr("last use of %s: %w", alias, err)
	}
	var last Use
	found := false
	for _, u := range uses {
		at, err := table.ParseKeyopsTime(u.At)
		if err != nil {
			continue
		}
		if !found || at.After(last.At) {
			who := u.Caller
			if who == "" {
				who = u.Principal
			}
			last, found = Use{Principal: who, Operation: u.Operation, At: at, Source: "keyops"}, true
		}
	}
	return last, found, nil
}

// PutDisable records a disable decision.
func (st *Store) PutDisable(ctx context.Context, d table.KeyDisableItem) error {
	if err := st.put(ctx, d, ""); err != nil {
		return dbErr("record disable of %s: %w", d.Alias, err)
	}
	return nil
}

// PutGrant records a grant.
func (st *Store) PutGrant(ctx context.Context, g table.GrantItem) error {
	if err := st.put(ctx, g, ""); err != nil {
		return dbErr("record grant on %s: %w", g.Alias, err)
	}
	return nil
}

// DeleteGrant forgets a grant record.
func (st *Store) DeleteGrant(ctx context.Context, alias, grantID string) error {
	_, err := st.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(st.Table), Key: keyOf(table.KeyopsKeyPK(alias), table.KeyopsGrantSK(grantID)),
	})
	if err != nil {
		return dbErr("delete grant record %s: %w", grantID, err)
	}
	return nil
}

// Grants lists the grant records of alias.
func (st *Store) Grants(ctx context.Context, alias string) ([]table.GrantItem, error) {
	return query[table.GrantItem](ctx, st, beginsWith(table.KeyopsKeyPK(alias), table.KeyopsGrantSKPrefix))
}

// ExpiredGrants lists grants of every key whose expiry is at or before now (gsi1).
func (st *Store) ExpiredGrants(ctx context.Context, now time.Time) ([]table.GrantItem, error) {
	return query[table.GrantItem](ctx, st, &dynamodb.QueryInput{
		IndexName:                aws.String(table.IndexGSI1),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk <= :now"),
		ExpressionAttributeNames: map[string]string{"#pk": table.AttrGSI1PK, "#sk": table.AttrGSI1SK},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":pk": str(table.KeyopsGrantExpiryGSI1PK), ":now": str(table.KeyopsTime(now) + "#\uffff"),
		},
	})
}

// GetPolicy reads the authorization policy of a principal.
func (st *Store) GetPolicy(ctx context.Context, principal string) (table.PolicyItem, bool, error) {
	var p table.PolicyItem
	ok, err := st.get(ctx, table.KeyopsPolicyPK(principal), table.KeyopsPolicySK, false, &p)
	return p, ok, err
}

// SeedPolicies writes policy items with BatchWriteItem (25 per request), retrying
// unprocessed items with a short backoff.
func (st *Store) SeedPolicies(ctx context.Context, items []table.PolicyItem) error {
	for start := 0; start < len(items); start += 25 {
		end := min(start+25, len(items))
		var reqs []ddbtypes.WriteRequest
		for _, it := range items[start:end] {
			av, err := attributevalue.MarshalMap(it)
			if err != nil {
				return dbErr("encode policy of %s: %w", it.Principal, err)
			}
			reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: av}})
		}
		pending := map[string][]ddbtypes.WriteRequest{st.Table: reqs}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt == 8 {
				return dbErr("seed policies: %d writes still unprocessed", len(pending[st.Table]))
			}
			if attempt > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Duration(1<<attempt) * 10 * time.Millisecond):
				}
			}
			res, err := st.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return dbErr("seed policies: %w", err)
			}
			pending = res.UnprocessedItems
		}
	}
	return nil
}

// BeginIdempotent claims an idempotency record. If one exists (and has not expired)
// it is returned instead, read consistently.
func (st *Store) BeginIdempotent(ctx context.Context, it table.IdempotencyItem, now time.Time) (*table.IdempotencyItem, error) {
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, dbErr("encode idempotency record: %w", err)
	}
	_, err = st.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.Table), Item: av,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR #ttl < :now"),
		ExpressionAttributeNames:  map[string]string{"#ttl": table.AttrTTL},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":now": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
	})
	if err == nil {
		return nil, nil
	}
	if !isConditionFailed(err) {
		return nil, dbErr("claim idempotency key: %w", err)
	}
	var prev table.IdempotencyItem
	ok, err := st.get(ctx, it.PK, it.SK, true, &prev)
	if err != nil {
		return nil, err
	}
	if !ok { // expired and removed between the two calls: claim again
		return st.BeginIdempotent(ctx, it, now)
	}
	return &prev, nil
}

// CompleteIdempotent stores the response of a claimed idempotency record.
func (st *Store) CompleteIdempotent(ctx context.Context, pk string, status int, body string) error {
	_, err := st.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(st.Table),
		Key:                      keyOf(pk, table.KeyopsIdempotencySK),
		UpdateExpression:         aws.String("SET #st = :st, #status = :code, #body = :body"),
		ExpressionAttributeNames: map[string]string{"#st": "state", "#status": "status", "#body": "body"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":st": str(table.IdempotencyDone), ":body": str(body),
			":code": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(status)},
		},
	})
	if err != nil {
		return dbErr("complete idempotency record: %w", err)
	}
	return nil
}

// AbortIdempotent releases a claimed record so that the request can be retried.
func (st *Store) AbortIdempotent(ctx context.Context, pk string) error {
	_, err := st.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(st.Table), Key: keyOf(pk, table.KeyopsIdempotencySK),
	})
	if err != nil {
		return dbErr("release idempotency record: %w", err)
	}
	return nil
}

// dbErr wraps a table error as internal (500) or, when DynamoDB throttled, as 429:
// DynamoDB error codes such as ResourceNotFoundException must never reach callers
// as if they were about their keys or secrets.
func dbErr(format string, a ...any) error {
	err := fmt.Errorf(format, a...)
	kind := ErrInternal
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
			kind = ErrThrottled
		}
	}
	return fmt.Errorf("%w: %w", kind, err)
}
