package keyops

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// fixture reads events/<name>.json, filling ${VAR} placeholders from vars.
func fixture(t testing.TB, name string, vars map[string]string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for k, v := range vars {
		s = strings.ReplaceAll(s, "${"+k+"}", v)
	}
	return []byte(s)
}

// TestFixtures drives every events/apigw-keyops-*.json fixture (and the scheduled
// sweep) through the Lambda entry point, lambda.NewHandler(h.Invoke).Invoke, in
// the order a user would send them.
func TestFixtures(t *testing.T) {
	hs := newHarness(t)
	hs.invoke = lambda.NewHandler(hs.h.Invoke).Invoke
	vars := runFixtures(t, hs, 200, nil)

	// the scheduled sweep revokes a grant once its expiresAt has passed
	hs.invokeRaw(fixture(t, "apigw-keyops-create-grant", vars))
	hs.clock.Advance(48 * time.Hour)
	out, err := hs.invoke(t.Context(), fixture(t, "scheduled-keyops-sweep", nil))
	if err != nil {
		t.Fatal(err)
	}
	var sweep SweepResult
	if err := json.Unmarshal(out, &sweep); err != nil || sweep.Revoked != 1 {
		t.Fatalf("sweep: %s (%v)", out, err)
	}
}

// TestFixturesLocalEndpoint runs the same fixtures against the local endpoint
// (KMS, Secrets Manager, DynamoDB) with the real envelope and secret cache.
func TestFixturesLocalEndpoint(t *testing.T) {
	ls := newLocalStack(t)
	hs := ls.harness(t)
	hs.invoke = lambda.NewHandler(ls.h.Invoke).Invoke
	if _, err := ls.sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
		Name: aws.String("app/payments/db"), SecretString: aws.String(`{"username":"payments","password":"one"}`),
	}); err != nil {
		t.Fatal(err)
	}
	// the local Secrets Manager has no rotation function for this secret: 4xx
	// the create-grant fixture's expiresAt is fixed; the endpoint runs on the real clock
	future := []byte(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	runFixtures(t, hs, 409, func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(fixtureGrantExpiry), future) })
	out, err := hs.invoke(t.Context(), fixture(t, "scheduled-keyops-sweep", nil))
	if err != nil {
		t.Fatal(err)
	}
	var sweep SweepResult
	if err := json.Unmarshal(out, &sweep); err != nil || sweep.Revoked != 0 {
		t.Fatalf("sweep before any expiry: %s (%v)", out, err)
	}
}

// fixtureGrantExpiry is the expiresAt of events/apigw-keyops-create-grant.json
// (the fake clock of the unit harness stands at 2026-12-01T12:00Z).
const fixtureGrantExpiry = "2026-12-02T12:00:00Z"

// runFixtures drives the apigw-keyops fixtures in order and returns the values
// it filled in; rotateSecret is the status expected of the rotate-secret step;
// rewrite, if set, adjusts each fixture before it is sent.
func runFixtures(t *testing.T, hs *harness, rotateSecret int, rewrite func([]byte) []byte) map[string]string {
	t.Helper()
	hs.createKey("app-payments-v2", "tenant")
	vars := map[string]string{}
	step := func(name string, want int) result {
		t.Helper()
		b := fixture(t, name, vars)
		if rewrite != nil {
			b = rewrite(b)
		}
		r := hs.invokeRaw(b)
		if r.Status != want {
			t.Fatalf("%s: status %d, want %d: %s", name, r.Status, want, r.Raw)
		}
		return r
	}
	step("apigw-keyops-openapi", 200)
	created := step("apigw-keyops-create-key", 201)
	if replay := step("apigw-keyops-create-key", 201); replay.Headers["idempotent-replayed"] != "true" || replay.str("keyId") != created.str("keyId") {
		t.Fatalf("create-key replay: %s", replay.Raw)
	}
	enc := step("apigw-keyops-encrypt", 200)
	step("apigw-keyops-encrypt-base64-body", 200)
	vars["CIPHERTEXT"] = enc.str("ciphertext")
	if dec := step("apigw-keyops-decrypt", 200); dec.str("plaintext") != b64("4111 1111 1111 1111") {
		t.Fatalf("decrypt: %s", dec.Raw)
	}
	step("apigw-keyops-wrong-principal", 403)
	step("apigw-keyops-no-iam", 403)
	if rw := step("apigw-keyops-rewrap", 200); rw.str("key") != "alias/app-payments-v2" {
		t.Fatalf("rewrap: %s", rw.Raw)
	}
	step("apigw-keyops-datakey", 200)
	step("apigw-keyops-list-keys", 200)
	if g := step("apigw-keyops-get-key", 200); g.Body["lastUse"] == nil {
		t.Fatalf("get-key without last use: %s", g.Raw)
	}
	step("apigw-keyops-rotate-key", 200)
	vars["GRANT_ID"] = step("apigw-keyops-create-grant", 201).str("grantId")
	step("apigw-keyops-list-grants", 200)
	step("apigw-keyops-revoke-grant", 200)
	step("apigw-keyops-put-secret", 200)
	step("apigw-keyops-get-secret", 200)
	step("apigw-keyops-secret-versions", 200)
	step("apigw-keyops-rotate-secret", rotateSecret)
	step("apigw-keyops-audit", 200)
	step("apigw-keyops-disable-key", 200)
	step("apigw-keyops-schedule-deletion", 409) // used through keyops seconds ago
	step("apigw-keyops-cancel-deletion", 409)   // nothing to cancel
	step("apigw-keyops-enable-key", 200)
	return vars
}
