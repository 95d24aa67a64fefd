package keyops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/shared/table"
)

var ddbURL string

func TestMain(m *testing.M) {
	p, err := ddblocal.Start(context.Background(), ddblocal.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "keyops tests need DynamoDB Local (Java and `make tools`): %v\n", err)
		os.Exit(1)
	}
	ddbURL = p.URL
	code := m.Run()
	p.Stop()
	os.Exit(code)
}

func newDDB(url string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
	})
}

var tableSeq atomic.Int64

// newTable creates a fresh table on DynamoDB Local for one test.
func newTable(t testing.TB, db *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("keyops-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	if _, err := db.CreateTable(context.Background(), table.CreateTableInput(name)); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return name
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

const (
	appARN      = "arn:aws:iam::111122223333:role/app"
	adminARN    = "arn:aws:iam::111122223333:role/admin"
	strangerARN = "arn:aws:iam::111122223333:role/stranger"
	userARN     = "arn:aws:iam::111122223333:role/app-user"
)

// testPolicies: app may use and manage app-* keys and app/ secrets; admin may only
// manage keys (no cryptography); stranger has no policy (deny by default).
var testPolicies = map[string][]table.AuthzStatement{
	appARN: {
		{Actions: []string{"encrypt", "decrypt", "rewrap", "datakey", "key:*", "grant:*", "audit:read"}, Keys: []string{"app-*"}},
		{Actions: []string{"secret:*", "audit:read"}, SecretPrefixes: []string{"app/"}},
	},
	adminARN: {
		{Actions: []string{"key:*", "grant:*"}, Keys: []string{"*"}},
	},
}

type harness struct {
	t       testing.TB
	h       *Handler
	kms     *fakeKMS
	env     *fakeEnvelope
	audit   *fakeAudit
	secrets *fakeSecrets
	clock   *clock
	logs    *syncBuffer
	metrics *syncBuffer
	db      *dynamodb.Client
	table   string
	invoke  func(ctx context.Context, payload []byte) ([]byte, error)
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
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newHarness(t testing.TB) *harness {
	t.Helper()
	db := newDDB(ddbURL)
	hs := &harness{t: t, kms: newFakeKMS(), audit: &fakeAudit{}, secrets: newFakeSecrets(),
		clock: &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}, metrics: &syncBuffer{},
		db: db, table: newTable(t, db)}
	hs.env = &fakeEnvelope{kms: hs.kms}
	h, err := New(Config{AccountID: "111122223333", Now: hs.clock.Now}, Deps{
		KMS: hs.kms, SecretsManager: hs.secrets, Secrets: hs.secrets, Envelope: hs.env, Audit: hs.audit,
		DB: db, Table: hs.table,
		Logger:  slog.New(slog.NewJSONHandler(hs.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: hs.metrics,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SeedPolicies(context.Background(), testPolicies); err != nil {
		t.Fatalf("seed policies: %v", err)
	}
	hs.h = h
	hs.invoke = lambda.NewHandler(h.Handle).Invoke
	return hs
}

// result is a decoded API response.
type result struct {
	Status  int
	Headers map[string]string
	Body    map[string]any
	Raw     string
}

func (r result) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r result) str(k string) string { s, _ := r.Body[k].(string); return s }

// do sends one request through the Lambda code path (lambda.NewHandler(...).Invoke).
func (hs *harness) do(method, path, principal, body string, headers ...string) result {
	hs.t.Helper()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: path, Body: body,
		Headers: map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-" + randHex(4),
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
	if i := bytes.IndexByte([]byte(path), '?'); i >= 0 {
		ev.RawPath = path[:i]
		ev.QueryStringParameters = map[string]string{}
		for _, kv := range bytes.Split([]byte(path[i+1:]), []byte("&")) {
			k, v, _ := bytes.Cut(kv, []byte("="))
			ev.QueryStringParameters[string(k)] = string(v)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		ev.Headers[headers[i]] = headers[i+1]
	}
	if principal != "" {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: principal, AccountID: "111122223333"},
		}
	}
	payload, _ := json.Marshal(ev)
	return hs.invokeRaw(payload)
}

func (hs *harness) invokeRaw(payload []byte) result {
	hs.t.Helper()
	out, err := hs.invoke(context.Background(), payload)
	if err != nil {
		hs.t.Fatalf("invoke: %v", err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		hs.t.Fatalf("response: %v", err)
	}
	r := result{Status: resp.StatusCode, Headers: resp.Headers, Raw: resp.Body}
	if err := json.Unmarshal([]byte(resp.Body), &r.Body); err != nil {
		hs.t.Fatalf("response body is not a JSON object: %q", resp.Body)
	}
	return r
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

// mustStatus fails unless r has the wanted status.
func mustStatus(t testing.TB, r result, want int) result {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Raw)
	}
	return r
}

// createKey registers alias through the API as app.
func (hs *harness) createKey(alias string, required ...string) result {
	hs.t.Helper()
	return mustStatus(hs.t, hs.do("POST", "/v1/keys", appARN, js(map[string]any{
		"alias": "alias/" + alias, "description": "test key", "environment": "test",
		"admins": []string{adminARN}, "users": []string{userARN}, "requiredContext": required,
	})), 201)
}
