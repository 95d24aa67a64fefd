package keyops

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// documented statuses of the API (OpenAPI): a bad request never gets anything else.
var documented4xx = map[int]bool{400: true, 403: true, 404: true, 409: true, 413: true, 429: true}

// TestBadInputCorpus sends malformed, oversized, unauthorized and replayed requests;
// each must get its documented 4xx with an {"error":{"code","message"}} body —
// never a 5xx, never a panic.
func TestBadInputCorpus(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-bad", "tenant")
	ct := mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{
		"key": "app-bad", "plaintext": b64("x"), "context": map[string]string{"tenant": "t"},
	})), 200).str("ciphertext")
	mustStatus(t, hs.do("POST", "/v1/keys", appARN, js(map[string]any{"alias": "app-idem-bad", "environment": "test"}), "Idempotency-Key", "dup"), 201)

	big := strings.Repeat("A", MaxEncryptBody+4)
	bigCtx := map[string]string{"tenant": "t", "k": strings.Repeat("v", MaxContextBytes)}
	enc := func(fields map[string]any) string { return js(fields) }
	type tc struct {
		name, method, path, principal, body string
		headers                             []string
		want                                int
	}
	cases := []tc{
		// encrypt
		{"encrypt empty body", "POST", "/v1/encrypt", appARN, "", nil, 400},
		{"encrypt not json", "POST", "/v1/encrypt", appARN, "key=app-bad", nil, 400},
		{"encrypt array", "POST", "/v1/encrypt", appARN, "[]", nil, 400},
		{"encrypt two objects", "POST", "/v1/encrypt", appARN, `{"key":"app-bad","plaintext":"eA=="}{}`, nil, 400},
		{"encrypt key number", "POST", "/v1/encrypt", appARN, `{"key":7,"plaintext":"eA=="}`, nil, 400},
		{"encrypt plaintext object", "POST", "/v1/encrypt", appARN, `{"key":"app-bad","plaintext":{}}`, nil, 400},
		{"encrypt context array", "POST", "/v1/encrypt", appARN, `{"key":"app-bad","plaintext":"eA==","context":["a"]}`, nil, 400},
		{"encrypt context value number", "POST", "/v1/encrypt", appARN, `{"key":"app-bad","plaintext":"eA==","context":{"tenant":1}}`, nil, 400},
		{"encrypt unknown field", "POST", "/v1/encrypt", appARN, `{"key":"app-bad","plaintext":"eA==","keyId":"x"}`, nil, 400},
		{"encrypt bad base64", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-bad", "plaintext": "%%%"}), nil, 400},
		{"encrypt url base64", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-bad", "plaintext": "-_-_", "context": map[string]string{"tenant": "t"}}), nil, 400},
		{"encrypt missing plaintext", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-bad"}), nil, 400},
		{"encrypt missing key", "POST", "/v1/encrypt", appARN, enc(map[string]any{"plaintext": "eA=="}), nil, 400},
		{"encrypt alias bad chars", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "alias/app bad!", "plaintext": "eA=="}), nil, 400},
		{"encrypt alias aws prefix", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "alias/aws/s3", "plaintext": "eA=="}), nil, 400},
		{"encrypt alias too long", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-" + strings.Repeat("a", 260), "plaintext": "eA=="}), nil, 400},
		{"encrypt alias empty segment", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app//x", "plaintext": "eA=="}), nil, 400},
		{"encrypt unknown alias", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-nope", "plaintext": "eA=="}), nil, 404},
		{"encrypt missing required context", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-bad", "plaintext": "eA=="}), nil, 400},
		{"encrypt reserved context key", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-bad", "plaintext": "eA==", "context": map[string]string{"aws-crypto-public-key": "x"}}), nil, 400},
		{"encrypt empty context key", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-bad", "plaintext": "eA==", "context": map[string]string{"": "x"}}), nil, 400},
		{"encrypt context too large", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "app-bad", "plaintext": "eA==", "context": bigCtx}), nil, 400},
		{"encrypt body too large", "POST", "/v1/encrypt", appARN, `{"key":"app-bad","plaintext":"` + big + `"}`, nil, 413},
		{"encrypt wrong principal", "POST", "/v1/encrypt", strangerARN, enc(map[string]any{"key": "app-bad", "plaintext": "eA=="}), nil, 403},
		{"encrypt no principal", "POST", "/v1/encrypt", "", enc(map[string]any{"key": "app-bad", "plaintext": "eA=="}), nil, 403},
		{"encrypt admin cannot use", "POST", "/v1/encrypt", adminARN, enc(map[string]any{"key": "app-bad", "plaintext": "eA=="}), nil, 403},
		{"encrypt other key family", "POST", "/v1/encrypt", appARN, enc(map[string]any{"key": "prod-db", "plaintext": "eA=="}), nil, 403},
		// decrypt
		{"decrypt bad base64", "POST", "/v1/decrypt", appARN, enc(map[string]any{"ciphertext": "!!"}), nil, 400},
		{"decrypt not a message", "POST", "/v1/decrypt", appARN, enc(map[string]any{"ciphertext": b64("hello")}), nil, 400},
		{"decrypt missing ciphertext", "POST", "/v1/decrypt", appARN, `{}`, nil, 400},
		{"decrypt missing context", "POST", "/v1/decrypt", appARN, enc(map[string]any{"ciphertext": ct}), nil, 400},
		{"decrypt wrong context", "POST", "/v1/decrypt", appARN, enc(map[string]any{"ciphertext": ct, "context": map[string]string{"tenant": "u"}}), nil, 400},
		{"decrypt wrong principal", "POST", "/v1/decrypt", strangerARN, enc(map[string]any{"ciphertext": ct, "context": map[string]string{"tenant": "t"}}), nil, 403},
		{"decrypt foreign key", "POST", "/v1/decrypt", appARN, enc(map[string]any{"ciphertext": b64(`{"magic":"fake-esdk","keys":["arn:aws:kms:us-east-1:111122223333:key/nope"],"ec":{},"body":""}`)}), nil, 404},
		{"decrypt no kms edk", "POST", "/v1/decrypt", appARN, enc(map[string]any{"ciphertext": b64(`{"magic":"fake-esdk","keys":[],"ec":{},"body":""}`)}), nil, 400},
		{"decrypt ciphertext too large", "POST", "/v1/decrypt", appARN, `{"ciphertext":"` + big + `"}`, nil, 413},
		// rewrap and datakey
		{"rewrap missing key", "POST", "/v1/rewrap", appARN, enc(map[string]any{"ciphertext": ct}), nil, 400},
		{"rewrap unknown destination", "POST", "/v1/rewrap", appARN, enc(map[string]any{"ciphertext": ct, "key": "app-none"}), nil, 404},
		{"rewrap destination denied", "POST", "/v1/rewrap", appARN, enc(map[string]any{"ciphertext": ct, "key": "prod-x"}), nil, 403},
		{"datakey bad spec", "POST", "/v1/datakey", appARN, enc(map[string]any{"key": "app-bad", "keySpec": "RSA_2048"}), nil, 400},
		{"datakey withPlaintext string", "POST", "/v1/datakey", appARN, `{"key":"app-bad","withPlaintext":"yes"}`, nil, 400},
		{"datakey missing context", "POST", "/v1/datakey", appARN, enc(map[string]any{"key": "app-bad"}), nil, 400},
		// keys
		{"create no environment", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-n"}), nil, 400},
		{"create bad environment", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-n", "environment": "Prod!"}), nil, 400},
		{"create bad admin arn", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-n", "environment": "t", "admins": []string{"bob"}}), nil, 400},
		{"create admin is user", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-n", "environment": "t", "admins": []string{userARN}, "users": []string{userARN}}), nil, 400},
		{"create reserved segment", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-n/grants", "environment": "t"}), nil, 400},
		{"create bad context key", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-n", "environment": "t", "requiredContext": []string{"a b"}}), nil, 400},
		{"create existing alias", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-bad", "environment": "t"}), nil, 409},
		{"create denied family", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "prod-n", "environment": "t"}), nil, 403},
		{"get unknown key", "GET", "/v1/keys/app-unknown", appARN, "", nil, 404},
		{"get bad alias", "GET", "/v1/keys/app%20x", appARN, "", nil, 400},
		{"get bad escape", "GET", "/v1/keys/app%zz", appARN, "", nil, 400},
		{"schedule days too few", "POST", "/v1/keys/app-bad/schedule-deletion", appARN, `{"days":3}`, nil, 400},
		{"schedule days too many", "POST", "/v1/keys/app-bad/schedule-deletion", appARN, `{"days":31}`, nil, 400},
		{"schedule days string", "POST", "/v1/keys/app-bad/schedule-deletion", appARN, `{"days":"7"}`, nil, 400},
		{"schedule enabled key", "POST", "/v1/keys/app-bad/schedule-deletion", appARN, `{"days":7}`, nil, 409},
		{"disable in use no force", "POST", "/v1/keys/app-bad/disable", appARN, ``, nil, 409},
		{"disable force no reason", "POST", "/v1/keys/app-bad/disable", appARN, `{"force":true}`, nil, 400},
		{"disable force not bool", "POST", "/v1/keys/app-bad/disable", appARN, `{"force":"true","reason":"x"}`, nil, 400},
		{"cancel not pending", "POST", "/v1/keys/app-bad/cancel-deletion", appARN, ``, nil, 409},
		{"rotate unknown", "POST", "/v1/keys/app-nope/rotate", appARN, ``, nil, 404},
		// grants
		{"grant no operations", "POST", "/v1/keys/app-bad/grants", appARN, enc(map[string]any{"grantee": userARN}), nil, 400},
		{"grant bad operation", "POST", "/v1/keys/app-bad/grants", appARN, enc(map[string]any{"grantee": userARN, "operations": []string{"CreateGrant"}}), nil, 400},
		{"grant bad grantee", "POST", "/v1/keys/app-bad/grants", appARN, enc(map[string]any{"grantee": "*", "operations": []string{"Decrypt"}}), nil, 400},
		{"grant expired", "POST", "/v1/keys/app-bad/grants", appARN, enc(map[string]any{"grantee": userARN, "operations": []string{"Decrypt"}, "expiresAt": "2020-01-01T00:00:00Z"}), nil, 400},
		{"grant expiry not a time", "POST", "/v1/keys/app-bad/grants", appARN, `{"grantee":"` + userARN + `","operations":["Decrypt"],"expiresAt":"tomorrow"}`, nil, 400},
		{"grant both constraints", "POST", "/v1/keys/app-bad/grants", appARN, enc(map[string]any{"grantee": userARN, "operations": []string{"Decrypt"}, "constraints": map[string]any{"encryptionContextEquals": map[string]string{"a": "b"}, "encryptionContextSubset": map[string]string{"a": "b"}}}), nil, 400},
		{"revoke unknown grant", "DELETE", "/v1/keys/app-bad/grants/nope", appARN, "", nil, 404},
		// secrets
		{"secret bad name", "GET", "/v1/secrets/app/%3Cscript%3E", appARN, "", nil, 400},
		{"secret bad stage", "GET", "/v1/secrets/app/db?stage=a%20b", appARN, "", nil, 400},
		{"secret not found", "GET", "/v1/secrets/app/none", appARN, "", nil, 404},
		{"secret put no value", "PUT", "/v1/secrets/app/db", appARN, `{}`, nil, 400},
		{"secret put value number", "PUT", "/v1/secrets/app/db", appARN, `{"value":5}`, nil, 400},
		{"secret put too large", "PUT", "/v1/secrets/app/db", appARN, enc(map[string]any{"value": strings.Repeat("s", MaxSecretValue+1)}), nil, 413},
		{"secret denied prefix", "PUT", "/v1/secrets/prod/db", appARN, `{"value":"x"}`, nil, 403},
		{"secret versions unknown", "GET", "/v1/secrets/app/none/versions", appARN, "", nil, 404},
		// audit
		{"audit no resource", "GET", "/v1/audit", appARN, "", nil, 400},
		{"audit bad from", "GET", "/v1/audit?resource=alias/app-bad&from=yesterday", appARN, "", nil, 400},
		{"audit reversed range", "GET", "/v1/audit?resource=alias/app-bad&from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", appARN, "", nil, 400},
		{"audit bad limit", "GET", "/v1/audit?resource=alias/app-bad&limit=0", appARN, "", nil, 400},
		{"audit foreign arn", "GET", "/v1/audit?resource=arn:aws:s3:::bucket", appARN, "", nil, 400},
		// routing and idempotency
		{"unknown route", "GET", "/v2/encrypt", appARN, "", nil, 404},
		{"wrong method", "DELETE", "/v1/encrypt", appARN, "", nil, 404},
		{"idempotency replay other body", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-idem-other", "environment": "test"}), []string{"Idempotency-Key", "dup"}, 409},
		{"idempotency key with space", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-i", "environment": "test"}), []string{"Idempotency-Key", "a b"}, 400},
		{"idempotency key too long", "POST", "/v1/keys", appARN, enc(map[string]any{"alias": "app-i", "environment": "test"}), []string{"Idempotency-Key", strings.Repeat("k", 256)}, 400},
	}
	if len(cases) < 50 {
		t.Fatalf("corpus has %d requests, want at least 50", len(cases))
	}
	for _, c := range cases {
		r := hs.do(c.method, c.path, c.principal, c.body, c.headers...)
		if r.Status != c.want || !documented4xx[r.Status] {
			t.Errorf("%s: status %d, want %d: %.200s", c.name, r.Status, c.want, r.Raw)
			continue
		}
		e, _ := r.Body["error"].(map[string]any)
		if code, _ := e["code"].(string); code == "" || e["message"] == "" {
			t.Errorf("%s: error body %s", c.name, r.Raw)
		}
	}
	// raw payloads that are not even API Gateway events still get a response
	for _, raw := range []string{`{}`, `{"rawPath":5}`, `{"requestContext":{"http":{"method":"POST"}},"rawPath":"/v1/encrypt","body":"eA==","isBase64Encoded":true}`,
		`{"requestContext":{"http":{"method":"POST"}},"rawPath":"/v1/encrypt","body":"%%","isBase64Encoded":true}`} {
		out, err := hs.invoke(t.Context(), []byte(raw))
		if err != nil {
			if !strings.Contains(raw, `"rawPath":5`) {
				t.Errorf("%s: %v", raw, err)
			}
			continue
		}
		var resp events.APIGatewayV2HTTPResponse
		_ = json.Unmarshal(out, &resp)
		if resp.StatusCode >= 500 || resp.StatusCode < 400 {
			t.Errorf("%s: status %d", raw, resp.StatusCode)
		}
	}
}
