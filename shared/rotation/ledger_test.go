package rotation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/table"
)

// TestTableLedger writes a rotation's steps to DynamoDB Local and reads them back
// through the access patterns the alarms use.
func TestTableLedger(t *testing.T) {
	ctx := context.Background()
	p, err := ddblocal.Start(ctx, ddblocal.Options{})
	if err != nil {
		t.Fatalf("DynamoDB Local (run `make tools`): %v", err)
	}
	defer p.Stop()
	db := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(p.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	if _, err := db.CreateTable(ctx, table.CreateTableInput("ledger")); err != nil {
		t.Fatal(err)
	}
	l := rotation.TableLedger{DB: db, Table: "ledger"}
	arn := "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
	t0 := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	entries := []rotation.LedgerEntry{
		{SecretID: arn, Token: "tok-1", Step: "createSecret", Strategy: "postgres-single", Outcome: rotation.OutcomeSucceeded, At: t0, Duration: 12 * time.Millisecond},
		{SecretID: arn, Token: "tok-1", Step: "setSecret", Strategy: "postgres-single", Outcome: rotation.OutcomeFailed, ErrorClass: "Unreachable", At: t0.Add(time.Second), Duration: 5 * time.Second},
		{SecretID: arn, Token: "tok-1", Step: "setSecret", Strategy: "postgres-single", Outcome: rotation.OutcomeSucceeded, At: t0.Add(time.Hour)},
		{SecretID: arn, Token: "tok-1", Step: "testSecret", Strategy: "postgres-single", Outcome: rotation.OutcomeSucceeded, At: t0.Add(time.Hour + time.Second)},
		{SecretID: arn, Token: "tok-1", Step: "finishSecret", Strategy: "postgres-single", Outcome: rotation.OutcomeSucceeded, At: t0.Add(time.Hour + 2*time.Second)},
	}
	for _, e := range entries {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	steps, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("ledger"),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: table.RotationPK(arn)}, ":p": &ddbtypes.AttributeValueMemberS{Value: table.RotationStepPrefix()}},
		ScanIndexForward:          aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps.Items) != 5 || steps.Items[0]["step"].(*ddbtypes.AttributeValueMemberS).Value != "finishSecret" {
		t.Fatalf("steps newest first: got %d items", len(steps.Items))
	}
	failed, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("ledger"), IndexName: aws.String(table.IndexGSI1),
		KeyConditionExpression:    aws.String("gsi1pk = :pk AND gsi1sk > :since"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: table.RotationFailedGSI1PK}, ":since": &ddbtypes.AttributeValueMemberS{Value: t0.Format(table.SortableTime)}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.Items) != 1 || failed.Items[0]["errorClass"].(*ddbtypes.AttributeValueMemberS).Value != "Unreachable" {
		t.Fatalf("failures: %v", failed.Items)
	}
	overdue := func(cutoff time.Time) int {
		out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("ledger"), IndexName: aws.String(table.IndexGSI2),
			KeyConditionExpression:    aws.String("gsi2pk = :pk AND gsi2sk < :cutoff"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: table.RotationStatusGSI2PK}, ":cutoff": &ddbtypes.AttributeValueMemberS{Value: cutoff.Format(table.SortableTime)}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Items)
	}
	if n := overdue(t0); n != 0 {
		t.Fatalf("overdue before the rotation: %d", n)
	}
	if n := overdue(t0.Add(31 * 24 * time.Hour)); n != 1 {
		t.Fatalf("overdue 31 days later: %d, want 1", n)
	}
}

// The EMF lines match testdata/emf-*.golden (CloudWatch's documented format).
func TestMetricsEMF(t *testing.T) {
	now := func() time.Time { return time.UnixMilli(1764655200000) }
	for name, emit := range map[string]func(*rotation.Metrics){
		"succeeded": func(m *rotation.Metrics) { m.Succeeded("postgres-alternating") },
		"failed":    func(m *rotation.Metrics) { m.Failed("mysql-single", "setSecret", "Unreachable") },
	} {
		var buf bytes.Buffer
		emit(&rotation.Metrics{W: &buf, Now: now})
		golden := filepath.Join("testdata", "emf-"+name+".golden")
		if os.Getenv("UPDATE_GOLDEN") != "" {
			_ = os.MkdirAll("testdata", 0o755)
			_ = os.WriteFile(golden, buf.Bytes(), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		var got, exp any
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(want, &exp)
		g, _ := json.Marshal(got)
		e, _ := json.Marshal(exp)
		if !bytes.Equal(g, e) {
			t.Fatalf("%s:\n got %s\nwant %s", name, g, e)
		}
	}
}
