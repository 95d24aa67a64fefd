package conformance

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keyward/keyward/shared/table"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// newTable creates keyward's one table under a fresh name and waits until it is active.
func newTable(t *testing.T, c *dynamodb.Client) string {
	t.Helper()
	requireDynamoDB(t)
	name := fmt.Sprintf("conformance-%d", time.Now().UnixNano())
	ctx := ctxT(t)
	if _, err := c.CreateTable(ctx, table.CreateTableInput(name)); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if err := dynamodb.NewTableExistsWaiter(c).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.DeleteTable(ctxT(t), &dynamodb.DeleteTableInput{TableName: aws.String(name)}) })
	return name
}

func TestDynamoDBItemsAndConditions(t *testing.T) {
	c := dynamodb.NewFromConfig(clientConfig(""))
	name := newTable(t, c)
	ctx := ctxT(t)
	item := map[string]types.AttributeValue{"pk": s("KEY#1"), "sk": s("META"), "gsi1pk": s("OWNER#alice"), "gsi1sk": s("KEY#1")}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("second conditional put: want ConditionalCheckFailedException, got %v", err)
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name),
		Key: map[string]types.AttributeValue{"pk": s("KEY#1"), "sk": s("META")}})
	if err != nil || got.Item["gsi1pk"].(*types.AttributeValueMemberS).Value != "OWNER#alice" {
		t.Fatalf("GetItem = %v, %v", got, err)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(name), IndexName: aws.String(table.IndexGSI1),
		KeyConditionExpression:    aws.String("gsi1pk = :o"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": s("OWNER#alice")}})
	if err != nil || len(q.Items) != 1 {
		t.Fatalf("Query gsi1 = %v, %v", q, err)
	}
}

func TestDynamoDBTransactionsAndTTL(t *testing.T) {
	c := dynamodb.NewFromConfig(clientConfig(""))
	name := newTable(t, c)
	ctx := ctxT(t)
	put := func(pk string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(name),
			Item:                map[string]types.AttributeValue{"pk": s(pk), "sk": s("X")},
			ConditionExpression: aws.String("attribute_not_exists(pk)")}}
	}
	if _, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put("A"), put("B")}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put("C"), put("A")}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 2 || aws.ToString(tce.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
		t.Fatalf("conflicting transaction: want TransactionCanceledException with reasons, got %v", err)
	}
	if g, _ := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name),
		Key: map[string]types.AttributeValue{"pk": s("C"), "sk": s("X")}}); len(g.Item) != 0 {
		t.Fatal("a cancelled transaction wrote an item")
	}
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(table.AttrTTL), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil || aws.ToString(d.TimeToLiveDescription.AttributeName) != table.AttrTTL {
		t.Fatalf("DescribeTimeToLive = %+v, %v", d, err)
	}
}
