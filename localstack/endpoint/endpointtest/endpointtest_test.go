package endpointtest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestMain(m *testing.M) { Main(m) }

func TestStartSharesOneDynamoDBLocal(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.URL == b.URL || a.DynamoDBURL() == "" || a.DynamoDBURL() != b.DynamoDBURL() {
		t.Fatalf("endpoints %s, %s; DynamoDB %q, %q: want two endpoints on one DynamoDB Local",
			a.URL, b.URL, a.DynamoDBURL(), b.DynamoDBURL())
	}
	if _, err := dynamodb.NewFromConfig(Config(a, "")).ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestConfigActsAsThePrincipalOfItsAccessKey(t *testing.T) {
	srv := StartWithoutDynamoDB(t)
	out, err := sts.NewFromConfig(Config(srv, "AKIDBOB")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || *out.Arn != "arn:aws:iam::111122223333:user/bob" {
		t.Fatalf("GetCallerIdentity = %v, %v", out, err)
	}
}
