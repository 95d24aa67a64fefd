package alarmstate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

var ddbURL string

func TestMain(m *testing.M) {
	p, err := ddblocal.Start(context.Background(), ddblocal.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "alarmstate: DynamoDB Local unavailable:", err)
		if os.Getenv("CI") == "true" {
			os.Exit(1)
		}
	} else {
		ddbURL = p.URL
	}
	code := m.Run()
	p.Stop()
	os.Exit(code)
}

func newStore(t *testing.T) Store {
	t.Helper()
	if ddbURL == "" {
		t.Skip("DynamoDB Local not running (make tools); CI=true makes this a failure")
	}
	c := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(ddbURL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")})
	name := "alarmstate-" + t.Name()
	if _, err := c.CreateTable(context.Background(), table.CreateTableInput(name)); err != nil {
		t.Fatal(err)
	}
	return Store{DB: c, Table: name}
}

func TestStoreRoundTripAndOpenIndex(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	d := Step(nil, finding(rules.StateAlarm, rules.SeverityCritical), win(0), win(0).End, DefaultPolicy())
	d.Next.Evidence = rules.Evidence{Count: 12001, EventIDs: []string{"e1"}, Principals: []string{"arn:aws:iam::111122223333:role/app"}}
	if err := s.Put(ctx, d.Next, Window{}); err != nil {
		t.Fatal(err)
	}
	// A second writer deciding from the same (absent) state loses.
	if err := s.Put(ctx, d.Next, Window{}); !errors.Is(err, ErrStale) {
		t.Fatalf("duplicate first put: %v, want ErrStale", err)
	}
	open, err := s.Open(ctx)
	if err != nil || len(open) != 1 {
		t.Fatalf("open = %v, %v", open, err)
	}
	got := open[0]
	if got.State != rules.StateAlarm || got.Evidence.Count != 12001 || got.NotifyPending != KindAlarm || !got.Window.End.Equal(win(0).End) {
		t.Fatalf("round trip: %+v", got)
	}
	// Resolve it and send the notification: it leaves the open index.
	d2 := Step(&got, Resolve(got, win(1)), win(1), win(1).End, DefaultPolicy())
	if d2.Notify != KindResolved {
		t.Fatalf("resolve: %+v", d2)
	}
	if err := s.Put(ctx, d2.Next, got.Window); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.Open(ctx); len(open) != 1 {
		t.Fatalf("resolved alarm with pending notification must stay listed, got %d", len(open))
	}
	sent := Notified(d2.Next, win(1).End)
	if err := s.Put(ctx, sent, d2.Next.Window); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.Open(ctx); len(open) != 0 {
		t.Fatalf("resolved and notified alarm still open: %+v", open)
	}
	byKey, err := s.Get(ctx, []Key{{"decrypt-spike", "key/1"}, {"decrypt-spike", "key/absent"}})
	if err != nil || len(byKey) != 1 || byKey[Key{"decrypt-spike", "key/1"}].State != rules.StateOK {
		t.Fatalf("get = %+v, %v", byKey, err)
	}
	// Stale writer based on the older window loses.
	if err := s.Put(ctx, d2.Next, got.Window); !errors.Is(err, ErrStale) {
		t.Fatalf("stale put: %v", err)
	}
}
