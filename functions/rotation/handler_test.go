package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

var fixtureSteps = []string{"createsecret", "setsecret", "testsecret", "finishsecret"}

func fixture(t *testing.T, step string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", "secretsmanager-rotation-"+step+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The fixtures decode into the SDK event type and re-encode to the same JSON.
func TestFixturesRoundTrip(t *testing.T) {
	for _, step := range fixtureSteps {
		raw := fixture(t, step)
		var ev events.SecretsManagerSecretRotationEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(ev.Step, step) || ev.SecretID == "" || ev.ClientRequestToken == "" {
			t.Fatalf("%s: %+v", step, ev)
		}
		back, _ := json.Marshal(ev)
		var a, b any
		_ = json.Unmarshal(raw, &a)
		_ = json.Unmarshal(back, &b)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s does not round-trip:\n%s\n%s", step, raw, back)
		}
	}
}

// keyProvider issues API keys: POST /keys, GET /whoami, DELETE /keys/{id}.
type keyProvider struct {
	mu     sync.Mutex
	active map[string]string
	n      int
}

func (p *keyProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case r.Method == http.MethodPost && auth == "admin-token":
		p.n++
		id, key := fmt.Sprintf("k-%d", p.n), fmt.Sprintf("key-%d-%s", p.n, strings.Repeat("x", 20))
		p.active[id] = key
		_ = json.NewEncoder(w).Encode(map[string]string{"id": id, "key": key})
	case r.Method == http.MethodGet:
		for _, k := range p.active {
			if k == auth {
				return
			}
		}
		w.WriteHeader(http.StatusUnauthorized)
	case r.Method == http.MethodDelete && auth == "admin-token":
		delete(p.active, strings.TrimPrefix(r.URL.Path, "/keys/"))
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusForbidden)
	}
}

// ledgerRecorder keeps the items the ledger writes.
type ledgerRecorder struct {
	mu    sync.Mutex
	items []map[string]any
}

func (l *ledgerRecorder) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := map[string]any{}
	for k, v := range in.Item {
		m[k] = v
	}
	l.items = append(l.items, m)
	return &dynamodb.PutItemOutput{}, nil
}

type noopInvoker struct{}

func (noopInvoker) Invoke(context.Context, string, []byte) ([]byte, error) { return nil, nil }

// TestFixturesDriveARotation runs the four step fixtures, in order, through the
// Lambda handler path against a secret staged for their token, and checks the
// outcome, the ledger, the metrics and the logs.
func TestFixturesDriveARotation(t *testing.T) {
	ctx := context.Background()
	p := &keyProvider{active: map[string]string{"k-0": "key-initial-0000000000"}}
	provider := httptest.NewServer(p)
	defer provider.Close()

	// The local endpoint, reached through the real SDK. The secret is named after
	// the fixtures' ARN (name plus AWS's 6-character suffix), which the endpoint
	// resolves as a partial ARN, so the fixture files run unchanged.
	srv := endpointtest.StartWith(t, endpoint.Options{Invoker: noopInvoker{}})
	sm := secretsmanager.NewFromConfig(endpointtest.Config(srv, ""))
	cred, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("provider-admin"), SecretString: aws.String(`{"token":"admin-token"}`)})
	if err != nil {
		t.Fatal(err)
	}
	value, _ := rotation.Secret{"engine": "apikey", "createurl": provider.URL + "/keys", "testurl": provider.URL + "/whoami",
		"revokeurl": provider.URL + "/keys/{id}", "credentialarn": aws.ToString(cred.ARN), "keyid": "k-0", "apikey": "key-initial-0000000000"}.Encode()
	var ev events.SecretsManagerSecretRotationEvent
	_ = json.Unmarshal(fixture(t, "createsecret"), &ev)
	name := ev.SecretID[strings.LastIndex(ev.SecretID, ":")+1:]
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
		t.Fatal(err)
	}
	// Stage AWSPENDING for the fixtures' token as RotateSecret does (the no-op
	// invoker leaves the steps to this test).
	if _, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(ev.SecretID),
		ClientRequestToken: aws.String(ev.ClientRequestToken), RotationLambdaARN: aws.String("keyward-rotation")}); err != nil {
		t.Fatal(err)
	}

	var logs, metrics bytes.Buffer
	ledger := &ledgerRecorder{}
	cfg, err := ConfigFromEnv(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	r := NewRotator(cfg, sm, ledger, slog.New(slog.NewJSONHandler(&logs, nil)), &metrics)
	h := lambda.NewHandler(r.Handle)
	for _, step := range fixtureSteps {
		if _, err := h.Invoke(ctx, fixture(t, step)); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	cur, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretID), VersionStage: aws.String("AWSCURRENT")})
	if err != nil || aws.ToString(cur.VersionId) != ev.ClientRequestToken {
		t.Fatalf("AWSCURRENT is not the fixtures' token: %v", err)
	}
	if _, ok := p.active["k-0"]; ok {
		t.Fatal("previous key not revoked")
	}
	if len(ledger.items) != 5 { // four steps + the status item
		t.Fatalf("ledger has %d items, want 5", len(ledger.items))
	}
	if !strings.Contains(metrics.String(), `"RotationSucceeded":1`) || !strings.Contains(metrics.String(), `"Strategy":"apikey"`) {
		t.Fatalf("no RotationSucceeded metric: %s", metrics.String())
	}
	for _, secret := range []string{"key-initial-0000000000", "key-1-", "admin-token"} {
		if strings.Contains(logs.String()+metrics.String(), secret) {
			t.Fatalf("secret material %q in logs or metrics", secret)
		}
	}
	// Redelivering every fixture after completion is harmless.
	for _, step := range fixtureSteps {
		if _, err := h.Invoke(ctx, fixture(t, step)); err != nil {
			t.Fatalf("redelivered %s: %v", step, err)
		}
	}
}

// Bad input is a clear error, never a panic.
func TestBadInput(t *testing.T) {
	sm := rotationtest.New(noopInvoker{})
	var metrics bytes.Buffer
	cfg, _ := ConfigFromEnv(func(string) (string, bool) { return "", false })
	h := lambda.NewHandler(NewRotator(cfg, sm, nil, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), &metrics).Handle)
	for _, tc := range []struct{ payload, want string }{
		{`not json`, "invalid character"},
		{`{"Step":"rotateAll","SecretId":"x","ClientRequestToken":"t"}`, "bad rotation event"},
		{`{"Step":"createSecret","ClientRequestToken":"t"}`, "bad rotation event"},
		{`{"Step":"createSecret","SecretId":"missing","ClientRequestToken":"t"}`, "secrets manager call failed"},
	} {
		_, err := h.Invoke(context.Background(), []byte(tc.payload))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.payload, err, tc.want)
		}
	}
	if !strings.Contains(metrics.String(), `"RotationFailed":1`) {
		t.Fatalf("failures not counted: %s", metrics.String())
	}
}
