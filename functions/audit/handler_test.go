package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/table"
)

func TestMain(m *testing.M) { endpointtest.Main(m) }

const (
	testKey    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testSecret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"
	trailBkt   = "org-trail-logs"
)

var at0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// env is one test's local endpoint, table, store and handler.
type env struct {
	srv     *endpoint.Server
	db      *dynamodb.Client
	s3      *s3.Client
	store   *audit.Store
	h       *Handler
	table   string
	logs    *syncBuffer
	metrics *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var tableSeq struct {
	sync.Mutex
	n int
}

func newEnv(t *testing.T, srv *endpoint.Server) *env {
	t.Helper()
	if srv == nil {
		srv = endpointtest.Start(t)
	}
	cfg := endpointtest.Config(srv, "")
	e := &env{srv: srv, db: dynamodb.NewFromConfig(cfg), s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		logs: &syncBuffer{}, metrics: &syncBuffer{}}
	tableSeq.Lock()
	tableSeq.n++
	e.table = fmt.Sprintf("audit-fn-%d", tableSeq.n)
	tableSeq.Unlock()
	if _, err := e.db.CreateTable(context.Background(), table.CreateTableInput(e.table)); err != nil {
		t.Fatalf("create table: %v", err)
	}
	e.store = audit.NewStore(e.db, audit.StoreConfig{Table: e.table})
	e.h = &Handler{Store: e.store, Objects: e.s3, Parser: audit.ParserConfig{ContextKey: []byte("test-key")},
		Log: slog.New(slog.NewJSONHandler(e.logs, nil)), Metrics: &Metrics{W: e.metrics}}
	return e
}

// invoke runs a payload through lambda.NewHandler, the code path Lambda uses.
func (e *env) invoke(t *testing.T, payload []byte) ([]byte, error) {
	t.Helper()
	return lambda.NewHandler(e.h.Invoke).Invoke(context.Background(), payload)
}

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// putLogFile uploads the gzipped log-file fixture where the SQS fixture points.
func (e *env) putLogFile(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(trailBkt)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	var n s3Notification
	var batch events.SQSEvent
	if err := json.Unmarshal(readEvent(t, "sqs-s3-cloudtrail.json"), &batch); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(batch.Records[0].Body), &n); err != nil {
		t.Fatal(err)
	}
	key := strings.ReplaceAll(n.Records[0].S3.Object.Key, "%3A", ":")
	if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(trailBkt), Key: aws.String(key),
		Body: bytes.NewReader(readEvent(t, "cloudtrail-logfile.json.gz"))}); err != nil {
		t.Fatalf("put log file: %v", err)
	}
}

func eventBridgeFixtures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "eventbridge-*.json"))
	if err != nil || len(files) < 30 {
		t.Fatalf("fixtures: %d, %v", len(files), err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files
}

func (e *env) ingestAll(t *testing.T) {
	t.Helper()
	for _, f := range eventBridgeFixtures(t) {
		out, err := e.invoke(t, readEvent(t, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if string(out) != "null" {
			t.Errorf("%s: response %s", f, out)
		}
	}
	out, err := e.invoke(t, readEvent(t, "sqs-s3-cloudtrail.json"))
	if err != nil {
		t.Fatalf("sqs: %v", err)
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("sqs response %s (%v); logs:\n%s", out, err, e.logs.String())
	}
}

func TestEveryFixtureThroughTheLambdaHandler(t *testing.T) {
	e := newEnv(t, nil)
	e.putLogFile(t)
	e.ingestAll(t)
	ctx := context.Background()
	week := audit.EventQuery{From: at0.Add(-time.Hour), To: at0.Add(24 * time.Hour)}
	evs, err := e.store.EventsByResource(ctx, testKey, week)
	if err != nil || len(evs) < 15 {
		t.Fatalf("events of the key: %d, %v", len(evs), err)
	}
	n, err := e.store.Total(ctx, audit.CountQuery{Resource: testKey, Granularity: audit.Hour, From: at0, To: at0.Add(time.Hour), Operations: []string{"Decrypt"}, Outcomes: []string{audit.OutcomeOK}})
	if err != nil || n != 44 {
		t.Fatalf("Decrypt count %d, %v; want 44 (3 EventBridge + 41 from the log file)", n, err)
	}
	gsv, _ := e.store.Total(ctx, audit.CountQuery{Resource: testSecret, Granularity: audit.Hour, From: at0, To: at0.Add(time.Hour), Operations: []string{"GetSecretValue"}})
	if gsv != 7 {
		t.Errorf("GetSecretValue count %d, want 7", gsv)
	}
	rot, _ := e.store.EventsByName(ctx, "secretsmanager", "RotationFailed", week)
	if len(rot) != 1 {
		t.Errorf("RotationFailed events %d", len(rot))
	}
	if !strings.Contains(e.metrics.String(), `"RecordsIngested":49`) || !strings.Contains(e.metrics.String(), `"ObjectsSkipped":1`) {
		t.Errorf("EMF lines lack the log file's counts:\n%s", e.metrics.String())
	}
	for _, secret := range []string{"Engineering", "Alpha"} { // encryption-context values
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("log carries %q", secret)
		}
	}
}

func TestRedeliveryThroughTheHandlerChangesNothing(t *testing.T) {
	e := newEnv(t, nil)
	e.putLogFile(t)
	e.ingestAll(t)
	before := scan(t, e)
	e.ingestAll(t)
	e.h = &Handler{Store: audit.NewStore(e.db, audit.StoreConfig{Table: e.table}), Objects: e.s3,
		Parser: audit.ParserConfig{ContextKey: []byte("test-key")}} // a cold instance
	e.ingestAll(t)
	if after := scan(t, e); after != before {
		t.Fatalf("redelivery changed the table")
	}
}

// scan returns the table's items as one string, without what depends on the
// wall clock (idempotency markers' applied time and TTL). Test-only Scan.
func scan(t *testing.T, e *env) string {
	t.Helper()
	var lines []string
	in := &dynamodb.ScanInput{TableName: aws.String(e.table)}
	for {
		out, err := e.db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				t.Fatal(err)
			}
			if m["type"] == table.TypeAuditMarker {
				delete(m, "applied")
				delete(m, "ttl")
			}
			for k, v := range m {
				if ss, ok := v.([]string); ok { // string sets have no order
					ss = slices.Clone(ss)
					slices.Sort(ss)
					m[k] = ss
				}
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(b))
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
