package keyops

import (
	"strings"
	"testing"
)

// FuzzParse: the router, the strict JSON decoder and the validators of every
// request type never panic, and every failure is a 4xx API error (no 5xx).
func FuzzParse(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/v1/encrypt", `{"key":"app-fz","plaintext":"eA==","context":{"a":"b"}}`},
		{"POST", "/v1/decrypt", `{"ciphertext":"eA==","context":{}}`},
		{"POST", "/v1/keys", `{"alias":"app-x","environment":"t","admins":["arn:aws:iam::111122223333:role/a"],"requiredContext":["k"]}`},
		{"POST", "/v1/keys/app-fz/disable", `{"force":true,"reason":"r"}`},
		{"POST", "/v1/keys/app-fz/schedule-deletion", `{"days":8}`},
		{"POST", "/v1/keys/app/fz/grants", `{"grantee":"arn:aws:iam::111122223333:role/b","operations":["Decrypt"],"expiresAt":"2027-01-01T00:00:00Z"}`},
		{"DELETE", "/v1/keys/app-fz/grants/x", ``},
		{"PUT", "/v1/secrets/app/x", `{"value":"v","stages":["S"]}`},
		{"GET", "/v1/secrets/app/x/versions", ``},
		{"GET", "/v1/keys/%2e%2e/grants/%00", `[1,2]`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		check := func(what string, err error) {
			if err == nil {
				return
			}
			if st, code, _, _ := statusOf(err); st >= 500 || code == "" {
				t.Fatalf("%s: %v → %d %q", what, err, st, code)
			}
		}
		_, params, err := match(strings.ToUpper(method), path)
		check("route", err)
		for _, v := range params {
			_, aerr := normalizeAlias("alias", v)
			check("alias", aerr)
			check("secret", validSecretName(v))
		}
		b := []byte(body)
		var enc encryptRequest
		if check("encrypt", decodeJSON(b, &enc)); enc.Context != nil {
			check("context", validContext("context", enc.Context))
			_, derr := decodeB64("plaintext", enc.Plaintext)
			check("b64", derr)
		}
		var ck createKeyRequest
		if decodeJSON(b, &ck) == nil {
			_, verr := ck.validate()
			check("create", verr)
		}
		var g createGrantRequest
		if decodeJSON(b, &g) == nil {
			check("grantee", validPrincipals("grantee", []string{g.Grantee}))
		}
		var d disableRequest
		check("disable", decodeOptionalJSON(b, &d))
		var sch scheduleRequest
		check("schedule", decodeOptionalJSON(b, &sch))
		var ps putSecretRequest
		check("put", decodeJSON(b, &ps))
		check("idempotency", validIdempotencyKey(body))
	})
}
