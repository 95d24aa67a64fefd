package keyops

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestLogsCarryNoSecrets runs every data-bearing route, successful and failing, with
// marker values, then scans every log and metric line: no plaintext, data key or
// secret value (nor their base64) may appear.
func TestLogsCarryNoSecrets(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-logs", "tenant")
	const plain = "PLAINTEXT-MARKER-4111111111111111"
	const secret = "SECRET-VALUE-MARKER-hunter2"
	const ctxVal = "CONTEXT-VALUE-MARKER"
	ec := map[string]string{"tenant": ctxVal}
	var markers []string
	addMarker := func(s string) {
		markers = append(markers, s, base64.StdEncoding.EncodeToString([]byte(s)))
	}
	addMarker(plain)
	addMarker(secret)

	enc := mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-logs", "plaintext": b64(plain), "context": ec})), 200)
	mustStatus(t, hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": enc.str("ciphertext"), "context": ec})), 200)
	dk := mustStatus(t, hs.do("POST", "/v1/datakey", appARN, js(map[string]any{"key": "app-logs", "context": ec, "withPlaintext": true})), 200)
	markers = append(markers, dk.str("plaintext"))
	rawKey, _ := base64.StdEncoding.DecodeString(dk.str("plaintext"))
	markers = append(markers, string(rawKey))
	mustStatus(t, hs.do("PUT", "/v1/secrets/app/api-key", appARN, js(map[string]any{"value": secret})), 200)
	mustStatus(t, hs.do("GET", "/v1/secrets/app/api-key", appARN, ""), 200)
	// failures that carry the same payloads
	hs.do("POST", "/v1/encrypt", strangerARN, js(map[string]any{"key": "app-logs", "plaintext": b64(plain), "context": ec}))
	hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-logs", "plaintext": b64(plain)}))
	hs.do("POST", "/v1/encrypt", appARN, `{"key":"app-logs","plaintext":"`+plain+`"}`)
	hs.do("POST", "/v1/encrypt", appARN, `{"key":"app-logs","plaintext":`+`"`+b64(plain)+`","bogus":"`+plain+`"}`)
	hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": enc.str("ciphertext"), "context": map[string]string{"tenant": "other"}}))
	hs.do("PUT", "/v1/secrets/prod/api-key", appARN, js(map[string]any{"value": secret}))
	hs.do("PUT", "/v1/secrets/app/api-key", appARN, `{"value":"`+secret+`","stages":[1]}`)
	hs.do("PUT", "/v1/secrets/app/api-key", appARN, `{"value":"`+secret)

	logs := hs.logs.String() + hs.metrics.String()
	if !strings.Contains(logs, "authz decision") || !strings.Contains(logs, "keyops request") {
		t.Fatalf("the scan saw no log lines: %.300s", logs)
	}
	for _, m := range markers {
		if m != "" && strings.Contains(logs, m) {
			t.Errorf("a log line contains a sensitive value (%.12s…)", m)
		}
	}
	if strings.Contains(logs, ctxVal) {
		t.Error("a log line contains an encryption context value")
	}
}
