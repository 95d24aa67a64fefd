package keyops

// Integration tests: the same API against the local endpoint (KMS, Secrets Manager,
// DynamoDB Local through the endpoint), the real envelope package, the real secret
// cache, and the real audit store fed by the endpoint's CloudTrail tap.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-secretsmanager-caching-go/v2/secretcache"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/localstack/trail"
	"github.com/keyward/keyward/shared/audit"
)

// countingKMS counts the KMS calls the envelope package makes.
type countingKMS struct {
	*kms.Client
	generate, encrypt, decrypt atomic.Int64
}

func (c *countingKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	c.generate.Add(1)
	return c.Client.GenerateDataKey(ctx, in, o...)
}

func (c *countingKMS) Encrypt(ctx context.Context, in *kms.EncryptInput, o ...func(*kms.Options)) (*kms.EncryptOutput, error) {
	c.encrypt.Add(1)
	return c.Client.Encrypt(ctx, in, o...)
}

func (c *countingKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	c.decrypt.Add(1)
	return c.Client.Decrypt(ctx, in, o...)
}

type localStack struct {
	srv     *endpoint.Server
	h       *Handler
	kms     *countingKMS
	sm      *secretsmanager.Client
	esdk    *ESDK
	audit   *audit.Store
	logs    *syncBuffer
	invoke  func(ctx context.Context, payload []byte) ([]byte, error)
	applied atomic.Int64
}

// newLocalStack wires keyops exactly as functions/keyops does, against the local
// endpoint; CloudTrail events of the endpoint are written to the audit store.
func newLocalStack(t testing.TB) *localStack {
	t.Helper()
	srv := endpointtest.StartWith(t, endpoint.Options{DynamoDBURL: ddbURL})
	cfg := endpointtest.Config(srv, "")
	db := dynamodb.NewFromConfig(cfg)
	name := newTable(t, db)
	ls := &localStack{srv: srv, kms: &countingKMS{Client: kms.NewFromConfig(cfg)}, sm: secretsmanager.NewFromConfig(cfg), logs: &syncBuffer{}}
	// the tap's target writes straight to DynamoDB Local, so that it keeps working
	// while the endpoint shuts down
	ls.audit = audit.NewStore(newDDB(ddbURL), audit.StoreConfig{Table: name})
	var delivered atomic.Int64
	t.Cleanup(func() { // runs before the endpoint closes: let the tap drain
		for last := int64(-1); last != delivered.Load(); time.Sleep(300 * time.Millisecond) {
			last = delivered.Load()
		}
	})
	parser := audit.NewParser(audit.ParserConfig{ContextKey: []byte("test-context-key")})
	var pmu sync.Mutex
	srv.Trail.AddTarget(trail.TargetFunc(func(ctx context.Context, ev []byte) error {
		defer delivered.Add(1)
		var env struct {
			ID     string          `json:"id"`
			Detail json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(ev, &env); err != nil {
			return err
		}
		pmu.Lock()
		defer pmu.Unlock()
		rec, err := parser.ParseRecord(env.Detail)
		if err != nil {
			return nil // other services
		}
		b := audit.NewBatch()
		b.Add(&rec)
		if err := ls.audit.Apply(ctx, env.ID, b); err != nil {
			t.Logf("audit apply: %v", err)
			return err
		}
		ls.applied.Add(1)
		return nil
	}))
	cache, err := secretcache.New(func(c *secretcache.Cache) {
		c.Client = ls.sm
		c.CacheItemTTL = int64(time.Minute)
	})
	if err != nil {
		t.Fatal(err)
	}
	ls.esdk = NewESDK(ls.kms, ESDKConfig{})
	h, err := New(Config{AccountID: "111122223333"}, Deps{
		KMS: ls.kms, SecretsManager: ls.sm, Secrets: cache, Envelope: ls.esdk, Audit: FromAudit(ls.audit),
		DB: db, Table: name,
		Logger:  slog.New(slog.NewJSONHandler(ls.logs, nil)),
		Metrics: ls.logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SeedPolicies(t.Context(), testPolicies); err != nil {
		t.Fatal(err)
	}
	ls.h = h
	ls.invoke = lambda.NewHandler(h.Handle).Invoke
	return ls
}

func (ls *localStack) harness(t testing.TB) *harness {
	return &harness{t: t, h: ls.h, invoke: ls.invoke, logs: ls.logs, metrics: ls.logs}
}

func TestLocalEndpointEveryRoute(t *testing.T) {
	ls := newLocalStack(t)
	hs := ls.harness(t)
	k := hs.createKey("app-int", "tenant")
	ec := map[string]string{"tenant": "t1"}

	// the key in KMS: rotation on, alias, least-privilege policy
	d, err := ls.kms.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: aws.String("alias/app-int")})
	if err != nil || aws.ToString(d.KeyMetadata.Arn) != k.str("keyArn") {
		t.Fatalf("alias does not resolve to the key: %v", err)
	}
	pol, err := ls.kms.GetKeyPolicy(t.Context(), &kms.GetKeyPolicyInput{KeyId: d.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	var doc PolicyDocument
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	checkLeastPrivilege(t, doc, adminARN, userARN)

	enc := mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "alias/app-int", "plaintext": b64("hello"), "context": ec})), 200)
	dec := mustStatus(t, hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": enc.str("ciphertext"), "context": ec})), 200)
	if dec.str("plaintext") != b64("hello") {
		t.Fatalf("decrypt: %s", dec.Raw)
	}
	r := hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": enc.str("ciphertext"), "context": map[string]string{"tenant": "t2"}}))
	if r.Status != 400 || r.errCode() != "DecryptFailed" {
		t.Fatalf("decrypt with the wrong context: %d %s", r.Status, r.Raw)
	}
	// tampered messages fail with one opaque 400
	raw := []byte(enc.str("ciphertext"))
	tampered := append([]byte(nil), raw...)
	tampered[len(tampered)/2] ^= 'A' ^ 'B'
	if r := hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": string(tampered), "context": ec})); r.Status != 400 {
		t.Fatalf("tampered: %d %s", r.Status, r.Raw)
	}

	hs.createKey("app-int2", "tenant")
	rw := mustStatus(t, hs.do("POST", "/v1/rewrap", appARN, js(map[string]any{"ciphertext": enc.str("ciphertext"), "key": "app-int2"})), 200)
	dec = mustStatus(t, hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": rw.str("ciphertext"), "context": ec})), 200)
	if dec.str("key") != "alias/app-int2" || dec.str("plaintext") != b64("hello") {
		t.Fatalf("rewrapped: %s", dec.Raw)
	}

	dk := mustStatus(t, hs.do("POST", "/v1/datakey", appARN, js(map[string]any{"key": "app-int", "context": ec, "withPlaintext": true})), 200)
	if dk.str("plaintext") == "" || dk.str("ciphertextBlob") == "" {
		t.Fatalf("datakey: %s", dk.Raw)
	}
	g := mustStatus(t, hs.do("GET", "/v1/keys/app-int", appARN, ""), 200)
	if g.str("state") != "Enabled" || g.Body["rotationEnabled"] != true || g.Body["lastUse"] == nil {
		t.Fatalf("get key: %s", g.Raw)
	}
	mustStatus(t, hs.do("GET", "/v1/keys", appARN, ""), 200)
	mustStatus(t, hs.do("POST", "/v1/keys/app-int/rotate", appARN, ""), 200)

	gr := mustStatus(t, hs.do("POST", "/v1/keys/app-int/grants", appARN, js(map[string]any{
		"grantee": userARN, "operations": []string{"Decrypt"}, "expiresAt": time.Now().Add(time.Hour).Format(time.RFC3339),
		"constraints": map[string]any{"encryptionContextSubset": ec},
	})), 201)
	l := mustStatus(t, hs.do("GET", "/v1/keys/app-int/grants", appARN, ""), 200)
	if !strings.Contains(l.Raw, gr.str("grantId")) || !strings.Contains(l.Raw, "expiresAt") {
		t.Fatalf("grants: %s", l.Raw)
	}
	mustStatus(t, hs.do("DELETE", "/v1/keys/app-int/grants/"+gr.str("grantId"), appARN, ""), 200)

	// secrets (created outside keyops; keyops reads through the caching client)
	if _, err := ls.sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("pw-1")}); err != nil {
		t.Fatal(err)
	}
	if s := mustStatus(t, hs.do("GET", "/v1/secrets/app/db", appARN, ""), 200); s.str("value") != "pw-1" {
		t.Fatalf("secret: %s", s.Raw)
	}
	mustStatus(t, hs.do("PUT", "/v1/secrets/app/db", appARN, `{"value":"pw-2"}`, "Idempotency-Key", "put-1"), 200)
	mustStatus(t, hs.do("PUT", "/v1/secrets/app/db", appARN, `{"value":"pw-2"}`, "Idempotency-Key", "put-1"), 200)
	if s := mustStatus(t, hs.do("GET", "/v1/secrets/app/db", appARN, ""), 200); s.str("value") != "pw-2" {
		t.Fatalf("secret after PUT: %s", s.Raw)
	}
	if s := mustStatus(t, hs.do("GET", "/v1/secrets/app/db?stage=AWSPREVIOUS", appARN, ""), 200); s.str("value") != "pw-1" {
		t.Fatalf("previous: %s", s.Raw)
	}
	vs := mustStatus(t, hs.do("GET", "/v1/secrets/app/db/versions", appARN, ""), 200)
	if len(vs.Body["versions"].([]any)) != 2 || strings.Contains(vs.Raw, "pw-") {
		t.Fatalf("versions (a replayed PUT must not add one): %s", vs.Raw)
	}
	if r := hs.do("POST", "/v1/secrets/app/db/rotate", appARN, ""); r.Status >= 500 {
		t.Fatalf("rotate without a rotation function: %d %s", r.Status, r.Raw)
	}
	if r := hs.do("GET", "/v1/secrets/app/none", appARN, ""); r.Status != 404 {
		t.Fatalf("missing secret: %d %s", r.Status, r.Raw)
	}

	// guardrails with the real stores: the key was used seconds ago
	r = hs.do("POST", "/v1/keys/app-int/disable", adminARN, "")
	if r.Status != 409 || r.errCode() != "KeyInUse" {
		t.Fatalf("disable in-use key: %d %s", r.Status, r.Raw)
	}
	mustStatus(t, hs.do("POST", "/v1/keys/app-int/disable", adminARN, `{"force":true,"reason":"test"}`), 200)
	r = hs.do("POST", "/v1/keys/app-int/schedule-deletion", adminARN, `{"days":7}`)
	if r.Status != 409 || r.errCode() != "KeyInUse" {
		t.Fatalf("schedule deletion of a key used seconds ago: %d %s", r.Status, r.Raw)
	}
	// the audit route reads the store the CloudTrail tap fills
	waitFor(t, func() bool { return ls.applied.Load() > 0 })
	a := mustStatus(t, hs.do("GET", "/v1/audit?resource=alias/app-int", appARN, ""), 200)
	if !strings.Contains(a.Raw, "CreateKey") && !strings.Contains(a.Raw, "DisableKey") {
		t.Logf("audit events: %.400s", a.Raw)
	}
	if _, ok := a.Body["events"].([]any); !ok {
		t.Fatalf("audit: %s", a.Raw)
	}
	// an unused, disabled key can be scheduled and cancelled
	hs.createKey("app-unused")
	mustStatus(t, hs.do("POST", "/v1/keys/app-unused/disable", adminARN, ""), 200)
	mustStatus(t, hs.do("POST", "/v1/keys/app-unused/schedule-deletion", adminARN, `{"days":7}`), 200)
	mustStatus(t, hs.do("POST", "/v1/keys/app-unused/cancel-deletion", adminARN, ""), 200)
	mustStatus(t, hs.do("POST", "/v1/keys/app-unused/enable", adminARN, ""), 200)
}

// A Decrypt made outside keyops, straight to KMS, reaches the audit store through
// the CloudTrail tap and blocks deletion of the key.
func TestLocalEndpointAuditUseBlocksDeletion(t *testing.T) {
	ls := newLocalStack(t)
	hs := ls.harness(t)
	k := hs.createKey("app-direct")
	gen, err := ls.kms.Client.GenerateDataKey(t.Context(), &kms.GenerateDataKeyInput{KeyId: aws.String(k.str("keyArn")), NumberOfBytes: aws.Int32(32)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ls.kms.Client.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: gen.CiphertextBlob}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		_, ok, _ := ls.audit.LastUse(t.Context(), k.str("keyArn"), useOperations, time.Now().Add(-time.Hour))
		return ok
	})
	mustStatus(t, hs.do("POST", "/v1/keys/app-direct/disable", adminARN, `{"force":true,"reason":"migrating"}`), 200)
	r := hs.do("POST", "/v1/keys/app-direct/schedule-deletion", adminARN, "")
	if r.Status != 409 || r.errCode() != "KeyInUse" || !strings.Contains(r.Raw, `"source":"audit"`) {
		t.Fatalf("schedule deletion after a direct Decrypt: %d %s", r.Status, r.Raw)
	}
}

func waitFor(t testing.TB, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatal("timed out waiting for the CloudTrail tap")
}

// The net/http adapter serves the same handler (what `make local` runs).
func TestLocalHTTPAdapter(t *testing.T) {
	ls := newLocalStack(t)
	ls.harness(t).createKey("app-http")
	srv := httptest.NewServer(HTTPHandler{API: ls.h})
	defer srv.Close()
	post := func(path, principal, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		if principal != "" {
			req.Header.Set(PrincipalHeader, principal)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("body %q", b)
		}
		return resp.StatusCode, m
	}
	st, enc := post("/v1/encrypt", appARN, js(map[string]any{"key": "app-http", "plaintext": b64("over http")}))
	if st != 200 {
		t.Fatalf("encrypt over HTTP: %d %v", st, enc)
	}
	st, dec := post("/v1/decrypt", appARN, js(map[string]any{"ciphertext": enc["ciphertext"]}))
	if st != 200 || dec["plaintext"] != b64("over http") {
		t.Fatalf("decrypt over HTTP: %d %v", st, dec)
	}
	if st, _ := post("/v1/encrypt", "", js(map[string]any{"key": "app-http", "plaintext": b64("x")})); st != 403 {
		t.Fatalf("no principal over HTTP: %d", st)
	}
	resp, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(b, OpenAPI) {
		t.Fatal("GET /openapi.json does not serve the committed document")
	}
}
