package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

const (
	account = "111122223333"
	keyA    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	keyB    = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"
	secretA = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"
	appRole = "arn:aws:iam::111122223333:role/app-role"
)

// t0 is the fixed clock: evaluations cover [10:15, 10:20) on 2026-12-01.
var (
	t0  = time.Date(2026, 12, 1, 10, 15, 0, 0, time.UTC)
	win = alarmstate.Window{Start: t0, End: t0.Add(5 * time.Minute)}
)

var ddbURL string

func TestMain(m *testing.M) {
	p, err := ddblocal.Start(context.Background(), ddblocal.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "alarms: DynamoDB Local unavailable (make tools):", err)
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

// countingDB counts DynamoDB requests by operation.
type countingDB struct {
	*dynamodb.Client
	n sync.Map // op → *atomic.Int64
}

func (c *countingDB) inc(op string) {
	v, _ := c.n.LoadOrStore(op, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (c *countingDB) total() (n int64) {
	c.n.Range(func(_, v any) bool { n += v.(*atomic.Int64).Load(); return true })
	return n
}

func (c *countingDB) reset() { c.n.Clear() }

func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.inc("Query")
	return c.Client.Query(ctx, in, o...)
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.inc("GetItem")
	return c.Client.GetItem(ctx, in, o...)
}

func (c *countingDB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.inc("BatchGetItem")
	return c.Client.BatchGetItem(ctx, in, o...)
}

func (c *countingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	c.inc("BatchWriteItem")
	return c.Client.BatchWriteItem(ctx, in, o...)
}

func (c *countingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.inc("PutItem")
	return c.Client.PutItem(ctx, in, o...)
}

// captured collects notifications (the SNS-level check is in sns_test.go).
type captured struct {
	mu   sync.Mutex
	msgs []alarmstate.Message
	fail bool
}

func (c *captured) Send(_ context.Context, m alarmstate.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail {
		return fmt.Errorf("sns unavailable")
	}
	c.msgs = append(c.msgs, m)
	return nil
}

func (c *captured) take() []alarmstate.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.msgs
	c.msgs = nil
	return out
}

// env is one test's table, audit store and evaluator.
type env struct {
	t     testing.TB
	db    *countingDB
	store *audit.Store
	ev    *Evaluator
	sent  *captured
	units int
}

// envTables numbers the tables of newEnv: a test or benchmark run again
// (-count) gets a new one.
var envTables atomic.Int64

func newEnv(t testing.TB, mod func(*rules.Config)) *env {
	t.Helper()
	if ddbURL == "" {
		t.Skip("DynamoDB Local not running (make tools); CI=true makes this a failure")
	}
	c := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(ddbURL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")})
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '-'
	}, fmt.Sprintf("alarms-%d-%s", envTables.Add(1), t.Name())) // unique under -count
	if len(name) > 200 {
		name = name[:200]
	}
	if _, err := c.CreateTable(context.Background(), table.CreateTableInput(name)); err != nil {
		t.Fatal(err)
	}
	db := &countingDB{Client: c}
	cfg := rules.DefaultConfig(account)
	if mod != nil {
		mod(&cfg)
	}
	st := audit.NewStore(db, audit.StoreConfig{Table: name})
	ev := NewEvaluator(db, st, name, cfg)
	ev.Region = "us-east-1"
	sent := &captured{}
	ev.Notifier = sent
	return &env{t: t, db: db, store: st, ev: ev, sent: sent}
}

// fixture is one events/ fixture's CloudTrail record, editable before ingest.
type fixture map[string]any

func load(t testing.TB, name string) fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Detail fixture `json:"detail"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev.Detail
}

// at moves the record to t with a fresh event id.
func (f fixture) at(t time.Time, id string) fixture {
	f["eventTime"] = t.UTC().Format(time.RFC3339)
	f["eventID"] = id
	return f
}

// on points the record at another resource.
func (f fixture) on(res string) fixture {
	typ := "AWS::KMS::Key"
	if strings.Contains(res, ":secretsmanager:") {
		typ = "AWS::SecretsManager::Secret"
	}
	f["resources"] = []any{map[string]any{"accountId": account, "type": typ, "ARN": res}}
	if rp, ok := f["requestParameters"].(map[string]any); ok {
		for _, k := range []string{"keyId", "secretId"} {
			if _, ok := rp[k]; ok {
				rp[k] = res
			}
		}
	}
	return f
}

// by makes the record a call of another role (an assumed-role session).
func (f fixture) by(roleARN, ip string) fixture {
	acct := rules.AccountOf(roleARN)
	role := roleARN[strings.LastIndex(roleARN, "/")+1:]
	f["userIdentity"] = map[string]any{
		"type": "AssumedRole", "principalId": "AROAOTHER:s", "accountId": acct,
		"arn":            "arn:aws:sts::" + acct + ":assumed-role/" + role + "/s",
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": roleARN, "accountId": acct}},
	}
	f["sourceIPAddress"] = ip
	return f
}

func (f fixture) set(k string, v any) fixture { f[k] = v; return f }

func (f fixture) param(k string, v any) fixture {
	rp, _ := f["requestParameters"].(map[string]any)
	if rp == nil {
		rp = map[string]any{}
		f["requestParameters"] = rp
	}
	rp[k] = v
	return f
}

// ingest feeds records through the audit pipeline (parse, normalise, aggregate,
// store) as one delivery unit.
func (e *env) ingest(recs ...fixture) {
	e.t.Helper()
	p := audit.NewParser(audit.ParserConfig{ContextKey: []byte("test-context-key")})
	b := audit.NewBatch()
	for _, f := range recs {
		raw, err := json.Marshal(f)
		if err != nil {
			e.t.Fatal(err)
		}
		r, err := p.ParseRecord(raw)
		if err != nil {
			e.t.Fatalf("parse fixture: %v", err)
		}
		b.Add(&r)
	}
	e.units++
	if err := e.store.Apply(context.Background(), fmt.Sprintf("unit-%d", e.units), b); err != nil {
		e.t.Fatalf("apply: %v", err)
	}
}

// many returns n copies of f at t (distinct event ids).
func many(n int, f func(i int) fixture) []fixture {
	out := make([]fixture, n)
	for i := range n {
		out[i] = f(i)
	}
	return out
}

func (e *env) evaluate(w alarmstate.Window, now time.Time) Result {
	e.t.Helper()
	r, err := e.ev.Evaluate(context.Background(), w, now)
	if err != nil {
		e.t.Fatalf("evaluate %v: %v", w, err)
	}
	return r
}

// state returns the stored state of rule on resource ("" if never stored).
func (e *env) state(rule, res string) alarmstate.Alarm {
	e.t.Helper()
	got, err := e.ev.Alarms.Get(context.Background(), []alarmstate.Key{{Rule: rule, Resource: res}})
	if err != nil {
		e.t.Fatal(err)
	}
	return got[alarmstate.Key{Rule: rule, Resource: res}]
}
