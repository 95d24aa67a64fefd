package keyops

import (
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
)

// NewFromEnv wires the real clients (what the Lambda function and `make local`
// run): the account comes from STS when ACCOUNT_ID is unset, the policy seed is
// written, and a seeded caller can create and use a key end to end.
func TestNewFromEnvAgainstLocalEndpoint(t *testing.T) {
	srv := endpointtest.StartWith(t, endpoint.Options{DynamoDBURL: ddbURL})
	cfg := endpointtest.Config(srv, "")
	name := newTable(t, newDDB(ddbURL))
	env := map[string]string{
		"TABLE_NAME":         name,
		"KEYOPS_POLICY_SEED": `{"` + appARN + `":[{"actions":["*"],"keys":["app-*"]}]}`,
		"KEYOPS_GUARD_DAYS":  "7",
	}
	h, err := NewFromEnv(t.Context(), cfg, func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if h.cfg.AccountID != "111122223333" || h.cfg.GuardDays != 7 {
		t.Fatalf("config %+v", h.cfg)
	}
	hs := &harness{t: t, h: h, invoke: lambda.NewHandler(h.Invoke).Invoke}
	hs.createKey("app-wired")
	mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-wired", "plaintext": b64("x")})), 200)

	for _, bad := range []map[string]string{{"KEYOPS_GUARD_DAYS": "-1"}, {"KEYOPS_SECRET_TTL": "soon"}, {"KEYOPS_POLICY_SEED": "{"}} {
		bad["ACCOUNT_ID"] = "111122223333"
		if _, err := NewFromEnv(t.Context(), cfg, func(k string) string { return bad[k] }, nil); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}
