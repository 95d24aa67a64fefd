package secrets

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRotateDue(t *testing.T) {
	f := newFixture(t)
	var steps []string
	f.invoke = rotator(t, f, "", &steps)
	f.must(t, "CreateSecret", map[string]any{"Name": "db", "SecretString": "v"})
	f.must(t, "CreateSecret", map[string]any{"Name": "other", "SecretString": "v"})
	f.must(t, "RotateSecret", map[string]any{"SecretId": "db", "RotationLambdaARN": "f", "RotateImmediately": false,
		"RotationRules": map[string]any{"AutomaticallyAfterDays": 7}})
	steps = nil
	if got := f.svc.RotateDue(t.Context(), f.now.Add(6*24*time.Hour)); len(got) != 0 {
		t.Errorf("rotated before the window: %v", got)
	}
	f.now = f.now.Add(8 * 24 * time.Hour)
	got := f.svc.RotateDue(t.Context(), f.now)
	if len(got) != 1 || got[0] != f.svc.byName["db"].ARN || len(steps) != 4 {
		t.Fatalf("rotated = %v, steps %v", got, steps)
	}
	if v := f.must(t, "GetSecretValue", map[string]any{"SecretId": "db"}); v["SecretString"] != "rotated" {
		t.Errorf("value = %v", v["SecretString"])
	}
	// the next window starts from LastRotatedDate
	f.must(t, "PutSecretValue", map[string]any{"SecretId": "db", "SecretString": "manual"})
	w := httptest.NewRecorder()
	f.svc.RotateDueHandler().ServeHTTP(w, httptest.NewRequest("POST", "/_keyward/secretsmanager/rotate-due?at="+f.now.Add(24*time.Hour).Format(time.RFC3339), nil))
	var out struct{ Rotated []string }
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Rotated) != 0 {
		t.Errorf("handler = %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	f.svc.RotateDueHandler().ServeHTTP(w, httptest.NewRequest("POST", "/_keyward/secretsmanager/rotate-due?at=tomorrow", nil))
	if w.Code != 400 {
		t.Errorf("bad at = %d", w.Code)
	}
}
