package keyops

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/table"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestEncryptDecryptRoundTrip(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-orders", "tenant")
	enc := mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{
		"key": "alias/app-orders", "plaintext": b64("card 4111"), "context": map[string]string{"tenant": "t1", "purpose": "orders"},
	})), 200)
	ct := enc.str("ciphertext")
	if ct == "" || enc.str("key") != "alias/app-orders" {
		t.Fatalf("encrypt response: %s", enc.Raw)
	}
	dec := mustStatus(t, hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{
		"ciphertext": ct, "context": map[string]string{"tenant": "t1"},
	})), 200)
	if got := dec.str("plaintext"); got != b64("card 4111") {
		t.Fatalf("plaintext %q", got)
	}
	// the required context key must be supplied on decrypt, and must match
	r := hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": ct}))
	if r.Status != 400 || r.errCode() != "MissingContext" {
		t.Fatalf("decrypt without required context: %d %s", r.Status, r.Raw)
	}
	r = hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": ct, "context": map[string]string{"tenant": "t2"}}))
	if r.Status != 400 || r.errCode() != "DecryptFailed" {
		t.Fatalf("decrypt with wrong context: %d %s", r.Status, r.Raw)
	}
	// and on encrypt
	r = hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-orders", "plaintext": b64("x")}))
	if r.Status != 400 || r.errCode() != "MissingContext" {
		t.Fatalf("encrypt without required context: %d %s", r.Status, r.Raw)
	}
}

func TestRewrapMovesMessageToAnotherKey(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-old")
	newKey := hs.createKey("app-new")
	ct := mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-old", "plaintext": b64("payload")})), 200).str("ciphertext")
	rw := mustStatus(t, hs.do("POST", "/v1/rewrap", appARN, js(map[string]any{"ciphertext": ct, "key": "alias/app-new"})), 200)
	if rw.str("keyArn") != newKey.str("keyArn") {
		t.Fatalf("rewrap under %s, want %s", rw.str("keyArn"), newKey.str("keyArn"))
	}
	dec := mustStatus(t, hs.do("POST", "/v1/decrypt", appARN, js(map[string]any{"ciphertext": rw.str("ciphertext")})), 200)
	if dec.str("key") != "alias/app-new" || dec.str("plaintext") != b64("payload") {
		t.Fatalf("decrypt of rewrapped: %s", dec.Raw)
	}
}

func TestDatakey(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-dk")
	r := mustStatus(t, hs.do("POST", "/v1/datakey", appARN, js(map[string]any{"key": "app-dk"})), 200)
	if r.str("ciphertextBlob") == "" || r.str("plaintext") != "" {
		t.Fatalf("datakey without plaintext: %s", r.Raw)
	}
	r = mustStatus(t, hs.do("POST", "/v1/datakey", appARN, js(map[string]any{"key": "app-dk", "withPlaintext": true})), 200)
	if pt, _ := base64.StdEncoding.DecodeString(r.str("plaintext")); len(pt) != 32 {
		t.Fatalf("datakey plaintext has %d bytes", len(pt))
	}
}

func TestCreateKeyPolicyAndRotation(t *testing.T) {
	hs := newHarness(t)
	r := hs.createKey("app-pol", "tenant")
	if r.Body["rotationEnabled"] != true || r.str("keyArn") == "" {
		t.Fatalf("create: %s", r.Raw)
	}
	k, err := hs.kms.key(r.str("keyId"))
	if err != nil {
		t.Fatal(err)
	}
	if !k.rotation {
		t.Fatal("rotation not enabled in KMS")
	}
	var doc PolicyDocument
	if err := json.Unmarshal([]byte(k.policy), &doc); err != nil {
		t.Fatal(err)
	}
	checkLeastPrivilege(t, doc, adminARN, userARN)
	if _, ok := hs.kms.aliases["alias/app-pol"]; !ok {
		t.Fatal("alias not created")
	}
	// the alias is taken now
	r = hs.do("POST", "/v1/keys", appARN, js(map[string]any{"alias": "app-pol", "environment": "test"}))
	if r.Status != 409 {
		t.Fatalf("second create: %d %s", r.Status, r.Raw)
	}
	g := mustStatus(t, hs.do("GET", "/v1/keys/app-pol", appARN, ""), 200)
	if g.str("state") != "Enabled" || g.Body["rotationEnabled"] != true {
		t.Fatalf("get: %s", g.Raw)
	}
	l := mustStatus(t, hs.do("GET", "/v1/keys", appARN, ""), 200)
	if n := len(l.Body["keys"].([]any)); n != 1 {
		t.Fatalf("list has %d keys", n)
	}
	// a caller without key:read on any alias is denied; one with key:read on
	// other aliases sees none of these
	mustStatus(t, hs.do("GET", "/v1/keys", strangerARN, ""), 403)
	mustStatus(t, hs.do("POST", "/v1/keys", adminARN, js(map[string]any{"alias": "ops-x", "environment": "test"})), 201)
	if err := hs.h.SeedPolicies(t.Context(), map[string][]table.AuthzStatement{userARN: {{Actions: []string{"key:read"}, Keys: []string{"ops-*"}}}}); err != nil {
		t.Fatal(err)
	}
	l = mustStatus(t, hs.do("GET", "/v1/keys", userARN, ""), 200)
	if ks := l.Body["keys"].([]any); len(ks) != 1 || ks[0].(map[string]any)["alias"] != "alias/ops-x" {
		t.Fatalf("filtered list: %s", l.Raw)
	}
}

// checkLeastPrivilege: root statement present; administrators never get a
// cryptographic action; users never get an administrative one.
func checkLeastPrivilege(t *testing.T, doc PolicyDocument, admin, user string) {
	t.Helper()
	root := false
	for _, st := range doc.Statement {
		ps := st.Principal["AWS"]
		if len(ps) == 1 && strings.HasSuffix(ps[0], ":root") && st.Action[0] == "kms:*" {
			root = true
			continue
		}
		for _, p := range ps {
			for _, a := range st.Action {
				crypto := strings.HasPrefix(a, "kms:Encrypt") || strings.HasPrefix(a, "kms:Decrypt") ||
					strings.HasPrefix(a, "kms:ReEncrypt") || strings.HasPrefix(a, "kms:GenerateDataKey") || a == "kms:*"
				if p == admin && crypto {
					t.Errorf("administrator %s may %s", p, a)
				}
				if p == user && !crypto && a != "kms:DescribeKey" && !(st.Condition["Bool"]["kms:GrantIsForAWSResource"] == "true") {
					t.Errorf("user %s may %s", p, a)
				}
			}
		}
	}
	if !root {
		t.Error("no account root statement")
	}
}

func TestKeyPolicyRejectsOverlap(t *testing.T) {
	if _, err := KeyPolicy("aws", "111122223333", []string{adminARN}, []string{adminARN}, nil); err == nil {
		t.Fatal("admin who is also a user accepted")
	}
}

func TestLifecycle(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-life")
	mustStatus(t, hs.do("POST", "/v1/keys/app-life/rotate", appARN, ""), 200)
	if hs.kms.count("RotateKeyOnDemand") != 1 {
		t.Fatal("no on-demand rotation")
	}
	mustStatus(t, hs.do("POST", "/v1/keys/app-life/disable", appARN, ""), 200)
	// a disabled key refuses data-plane calls at once (no stale cache)
	r := hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-life", "plaintext": b64("x")}))
	if r.Status != 409 || r.errCode() != "KeyNotEnabled" {
		t.Fatalf("encrypt under disabled key: %d %s", r.Status, r.Raw)
	}
	mustStatus(t, hs.do("POST", "/v1/keys/app-life/schedule-deletion", appARN, `{"days":7}`), 200)
	if g := mustStatus(t, hs.do("GET", "/v1/keys/app-life", appARN, ""), 200); g.str("state") != "PendingDeletion" {
		t.Fatalf("state after schedule: %s", g.Raw)
	}
	mustStatus(t, hs.do("POST", "/v1/keys/app-life/cancel-deletion", appARN, ""), 200)
	mustStatus(t, hs.do("POST", "/v1/keys/app-life/enable", appARN, ""), 200)
	mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-life", "plaintext": b64("x")})), 200)
}

// --- guardrails ---

func TestGuardScheduleDeletionNeedsDisabledKey(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-g1")
	r := hs.do("POST", "/v1/keys/app-g1/schedule-deletion", appARN, "")
	if r.Status != 409 || r.errCode() != "KeyNotDisabled" {
		t.Fatalf("schedule of an enabled key: %d %s", r.Status, r.Raw)
	}
	if hs.kms.count("ScheduleKeyDeletion") != 0 {
		t.Fatal("KMS ScheduleKeyDeletion was called")
	}
}

// A use through keyops seconds before schedule-deletion blocks it, although
// CloudTrail (the audit store) has not delivered the event yet, and the 409 names
// the API caller, not keyops' role.
func TestGuardRecentUseThroughKeyopsBlocksDeletion(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-g2")
	mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-g2", "plaintext": b64("x")})), 200)
	hs.clock.Advance(5 * time.Second)
	r := hs.do("POST", "/v1/keys/app-g2/disable", adminARN, "")
	if r.Status != 409 || r.errCode() != "KeyInUse" {
		t.Fatalf("disable of a key used 5 s ago without force: %d %s", r.Status, r.Raw)
	}
	mustStatus(t, hs.do("POST", "/v1/keys/app-g2/disable", adminARN, `{"force":true,"reason":"INC-42 compromised app host"}`), 200)
	r = hs.do("POST", "/v1/keys/app-g2/schedule-deletion", adminARN, "")
	if r.Status != 409 || r.errCode() != "KeyInUse" {
		t.Fatalf("schedule deletion of a key used 5 s ago: %d %s", r.Status, r.Raw)
	}
	lu := r.Body["error"].(map[string]any)["details"].(map[string]any)["lastUse"].(map[string]any)
	if lu["principal"] != appARN || lu["operation"] != "Encrypt" || lu["source"] != "keyops" {
		t.Fatalf("last use %v, want Encrypt by %s recorded by keyops", lu, appARN)
	}
	if hs.kms.count("ScheduleKeyDeletion") != 0 {
		t.Fatal("KMS ScheduleKeyDeletion was called")
	}
}

func TestGuardAuditUseWithinWindowBlocksDeletion(t *testing.T) {
	hs := newHarness(t)
	k := hs.createKey("app-g3")
	mustStatus(t, hs.do("POST", "/v1/keys/app-g3/disable", adminARN, ""), 200)
	hs.audit.addUse(k.str("keyArn"), Use{Principal: "arn:aws:iam::111122223333:role/batch", Operation: "Decrypt", At: hs.clock.Now().Add(-10 * 24 * time.Hour)})
	r := hs.do("POST", "/v1/keys/app-g3/schedule-deletion", adminARN, "")
	if r.Status != 409 || !strings.Contains(r.Raw, "role/batch") {
		t.Fatalf("schedule deletion of a key decrypted 10 days ago: %d %s", r.Status, r.Raw)
	}
	// 31 days later the use is outside the 30-day window
	hs.clock.Advance(21*24*time.Hour + time.Minute)
	mustStatus(t, hs.do("POST", "/v1/keys/app-g3/schedule-deletion", adminARN, `{"days":30}`), 200)
	if hs.kms.count("ScheduleKeyDeletion") != 1 {
		t.Fatal("KMS ScheduleKeyDeletion not called once")
	}
}

func TestGuardForcedDisableIsRecorded(t *testing.T) {
	hs := newHarness(t)
	k := hs.createKey("app-g4")
	hs.audit.addUse(k.str("keyArn"), Use{Principal: userARN, Operation: "GenerateDataKey", At: hs.clock.Now().Add(-time.Hour)})
	r := hs.do("POST", "/v1/keys/app-g4/disable", adminARN, `{"force":true}`)
	if r.Status != 400 {
		t.Fatalf("force without reason: %d %s", r.Status, r.Raw)
	}
	if hs.kms.count("DisableKey") != 0 {
		t.Fatal("key disabled without a reason")
	}
	d := mustStatus(t, hs.do("POST", "/v1/keys/app-g4/disable", adminARN, `{"force":true,"reason":"rotating tenant out"}`), 200)
	if d.Body["forced"] != true {
		t.Fatalf("disable response: %s", d.Raw)
	}
	recs, err := hs.h.store.disables(t, "app-g4")
	if err != nil || len(recs) != 1 || recs[0].Reason != "rotating tenant out" || !recs[0].Force || recs[0].Principal != adminARN || recs[0].LastUseBy != userARN {
		t.Fatalf("disable records %+v (%v)", recs, err)
	}
}

func TestUseRecordsAreThrottledPerPrincipal(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-hot")
	for i := 0; i < 20; i++ {
		mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-hot", "plaintext": b64("x")})), 200)
	}
	u, found, err := hs.h.store.LastUse(t.Context(), "app-hot")
	if err != nil || !found || !u.At.Equal(hs.clock.Now()) {
		t.Fatalf("last use %+v %v %v", u, found, err)
	}
	hs.clock.Advance(2 * time.Minute)
	mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-hot", "plaintext": b64("x")})), 200)
	if u, _, _ := hs.h.store.LastUse(t.Context(), "app-hot"); !u.At.Equal(hs.clock.Now()) {
		t.Fatalf("use after the granularity not recorded: %v", u.At)
	}
}

// --- idempotency ---

func TestIdempotencyReplayAndConflict(t *testing.T) {
	hs := newHarness(t)
	body := js(map[string]any{"alias": "app-idem", "environment": "test"})
	first := mustStatus(t, hs.do("POST", "/v1/keys", appARN, body, "Idempotency-Key", "k-1"), 201)
	again := mustStatus(t, hs.do("POST", "/v1/keys", appARN, body, "Idempotency-Key", "k-1"), 201)
	if again.str("keyId") != first.str("keyId") || again.Headers["idempotent-replayed"] != "true" {
		t.Fatalf("replay %s, first %s", again.Raw, first.Raw)
	}
	if n := hs.kms.count("CreateKey"); n != 1 {
		t.Fatalf("CreateKey called %d times", n)
	}
	r := hs.do("POST", "/v1/keys", appARN, js(map[string]any{"alias": "app-idem2", "environment": "test"}), "Idempotency-Key", "k-1")
	if r.Status != 409 || r.errCode() != "IdempotencyKeyReused" {
		t.Fatalf("same key, other body: %d %s", r.Status, r.Raw)
	}
	// keys are per caller: another principal's k-1 is independent
	r = hs.do("POST", "/v1/keys", adminARN, js(map[string]any{"alias": "app-idem3", "environment": "test"}), "Idempotency-Key", "k-1")
	mustStatus(t, r, 201)
	// a failed request releases the key
	bad := js(map[string]any{"alias": "app-idem", "environment": "test"}) // alias taken → 409
	mustStatus(t, hs.do("POST", "/v1/keys", appARN, bad, "Idempotency-Key", "k-2"), 409)
	mustStatus(t, hs.do("POST", "/v1/keys", appARN, js(map[string]any{"alias": "app-idem4", "environment": "test"}), "Idempotency-Key", "k-2"), 201)
}

// --- grants ---

func TestGrantsExpireAndAreRevoked(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-gr")
	exp := hs.clock.Now().Add(time.Hour).Format(time.RFC3339)
	g := mustStatus(t, hs.do("POST", "/v1/keys/app-gr/grants", appARN, js(map[string]any{
		"grantee": userARN, "operations": []string{"Decrypt"}, "expiresAt": exp,
		"constraints": map[string]any{"encryptionContextSubset": map[string]string{"tenant": "t1"}},
	})), 201)
	forever := mustStatus(t, hs.do("POST", "/v1/keys/app-gr/grants", appARN, js(map[string]any{
		"grantee": userARN, "operations": []string{"Encrypt"},
	})), 201)
	l := mustStatus(t, hs.do("GET", "/v1/keys/app-gr/grants", appARN, ""), 200)
	if n := len(l.Body["grants"].([]any)); n != 2 {
		t.Fatalf("%d grants listed", n)
	}
	hs.clock.Advance(2 * time.Hour)
	n, err := hs.h.SweepExpiredGrants(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("sweep revoked %d (%v)", n, err)
	}
	l = mustStatus(t, hs.do("GET", "/v1/keys/app-gr/grants", appARN, ""), 200)
	gs := l.Body["grants"].([]any)
	if len(gs) != 1 || gs[0].(map[string]any)["grantId"] != forever.str("grantId") {
		t.Fatalf("after expiry: %s (expired grant %s)", l.Raw, g.str("grantId"))
	}
	mustStatus(t, hs.do("DELETE", "/v1/keys/app-gr/grants/"+forever.str("grantId"), appARN, ""), 200)
	if len(hs.kms.grants) != 0 {
		t.Fatalf("%d grants left in KMS", len(hs.kms.grants))
	}
}

func TestExpiredGrantRevokedOnList(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-gl")
	mustStatus(t, hs.do("POST", "/v1/keys/app-gl/grants", appARN, js(map[string]any{
		"grantee": userARN, "operations": []string{"Decrypt"}, "expiresAt": hs.clock.Now().Add(time.Minute).Format(time.RFC3339),
	})), 201)
	hs.clock.Advance(time.Hour)
	l := mustStatus(t, hs.do("GET", "/v1/keys/app-gl/grants", appARN, ""), 200)
	if n := len(l.Body["grants"].([]any)); n != 0 || len(hs.kms.grants) != 0 {
		t.Fatalf("expired grant still listed (%d) or in KMS (%d)", n, len(hs.kms.grants))
	}
}

// --- secrets ---

func TestSecrets(t *testing.T) {
	hs := newHarness(t)
	v1 := mustStatus(t, hs.do("PUT", "/v1/secrets/app/db", appARN, `{"value":"pw-one"}`), 200)
	if strings.Contains(v1.Raw, "pw-one") {
		t.Fatal("PUT response echoes the value")
	}
	mustStatus(t, hs.do("PUT", "/v1/secrets/app/db", appARN, `{"value":"pw-two"}`), 200)
	if r := mustStatus(t, hs.do("GET", "/v1/secrets/app/db", appARN, ""), 200); r.str("value") != "pw-two" {
		t.Fatalf("current: %s", r.Raw)
	}
	if r := mustStatus(t, hs.do("GET", "/v1/secrets/app/db?stage=AWSPREVIOUS", appARN, ""), 200); r.str("value") != "pw-one" {
		t.Fatalf("previous: %s", r.Raw)
	}
	vs := mustStatus(t, hs.do("GET", "/v1/secrets/app/db/versions", appARN, ""), 200)
	if strings.Contains(vs.Raw, "pw-") || len(vs.Body["versions"].([]any)) != 2 {
		t.Fatalf("versions: %s", vs.Raw)
	}
	mustStatus(t, hs.do("POST", "/v1/secrets/app/db/rotate", appARN, ""), 200)
	mustStatus(t, hs.do("GET", "/v1/secrets/other/db", appARN, ""), 403)
	mustStatus(t, hs.do("GET", "/v1/secrets/app/missing", appARN, ""), 404)
}

func TestAuditRoute(t *testing.T) {
	hs := newHarness(t)
	k := hs.createKey("app-aud")
	hs.audit.events = map[string][]AuditEvent{k.str("keyArn"): {{EventID: "e1", Name: "DisableKey", Time: hs.clock.Now()}}}
	r := mustStatus(t, hs.do("GET", "/v1/audit?resource=alias/app-aud", appARN, ""), 200)
	if evs := r.Body["events"].([]any); len(evs) != 1 {
		t.Fatalf("events: %s", r.Raw)
	}
	mustStatus(t, hs.do("GET", "/v1/audit?resource=alias/app-aud", strangerARN, ""), 403)
}

// --- authorization ---

// Every route but the OpenAPI document denies a caller without a policy, and one
// without an IAM identity.
func TestDenyByDefaultOnEveryRoute(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-deny")
	ct := mustStatus(t, hs.do("POST", "/v1/encrypt", appARN, js(map[string]any{"key": "app-deny", "plaintext": b64("x")})), 200).str("ciphertext")
	reqs := []struct{ method, path, body string }{
		{"POST", "/v1/encrypt", js(map[string]any{"key": "app-deny", "plaintext": b64("x")})},
		{"POST", "/v1/decrypt", js(map[string]any{"ciphertext": ct})},
		{"POST", "/v1/rewrap", js(map[string]any{"ciphertext": ct, "key": "app-deny"})},
		{"POST", "/v1/datakey", js(map[string]any{"key": "app-deny"})},
		{"POST", "/v1/keys", js(map[string]any{"alias": "app-x", "environment": "test"})},
		{"GET", "/v1/keys", ""},
		{"GET", "/v1/keys/app-deny", ""},
		{"POST", "/v1/keys/app-deny/rotate", ""},
		{"POST", "/v1/keys/app-deny/disable", ""},
		{"POST", "/v1/keys/app-deny/enable", ""},
		{"POST", "/v1/keys/app-deny/schedule-deletion", ""},
		{"POST", "/v1/keys/app-deny/cancel-deletion", ""},
		{"GET", "/v1/keys/app-deny/grants", ""},
		{"POST", "/v1/keys/app-deny/grants", js(map[string]any{"grantee": userARN, "operations": []string{"Decrypt"}})},
		{"DELETE", "/v1/keys/app-deny/grants/abc", ""},
		{"GET", "/v1/secrets/app/db", ""},
		{"PUT", "/v1/secrets/app/db", `{"value":"v"}`},
		{"POST", "/v1/secrets/app/db/rotate", ""},
		{"GET", "/v1/secrets/app/db/versions", ""},
		{"GET", "/v1/audit?resource=alias/app-deny", ""},
	}
	for _, rq := range reqs {
		for _, who := range []string{strangerARN, ""} {
			r := hs.do(rq.method, rq.path, who, rq.body)
			if r.Status != 403 {
				t.Errorf("%s %s as %q: %d %s", rq.method, rq.path, who, r.Status, r.Raw)
			}
		}
	}
	// the admin may manage but not use keys
	r := hs.do("POST", "/v1/encrypt", adminARN, js(map[string]any{"key": "app-deny", "plaintext": b64("x")}))
	if r.Status != 403 {
		t.Fatalf("admin encrypt: %d", r.Status)
	}
	// decisions are counted as EMF
	if !strings.Contains(hs.metrics.String(), `"Decision":"deny"`) || !strings.Contains(hs.metrics.String(), `"AuthzDecisions":1`) {
		t.Fatal("no EMF decision metric")
	}
	mustStatus(t, hs.do("GET", "/openapi.json", "", ""), 200)
}

func TestDecide(t *testing.T) {
	p := testPoliciesItem(appARN)
	cases := []struct {
		action, kind, name string
		want               bool
	}{
		{"encrypt", resKey, "app-a", true},
		{"encrypt", resKey, "other", false},
		{"key:rotate", resKey, "app-a", true},
		{"secret:read", resSecret, "app/db", true},
		{"secret:read", resSecret, "apple", false},
		{"secret:read", resKey, "app-a", false},
		{"encrypt", resSecret, "app/db", false},
		{"keys:rotate", resKey, "app-a", false},
	}
	for _, c := range cases {
		if got := Decide(p, c.action, c.kind, c.name); got != c.want {
			t.Errorf("Decide(%s, %s %s) = %v", c.action, c.kind, c.name, got)
		}
	}
}

func TestPolicyPrincipal(t *testing.T) {
	cases := map[string]string{
		"arn:aws:sts::111122223333:assumed-role/app/i-0abc":     "arn:aws:iam::111122223333:role/app",
		"arn:aws-cn:sts::111122223333:assumed-role/app/s@x.com": "arn:aws-cn:iam::111122223333:role/app",
		"arn:aws:iam::111122223333:user/alice":                  "arn:aws:iam::111122223333:user/alice",
		"arn:aws:sts::111122223333:assumed-role/app":            "arn:aws:sts::111122223333:assumed-role/app",
	}
	for in, want := range cases {
		if got := PolicyPrincipal(in); got != want {
			t.Errorf("PolicyPrincipal(%s) = %s, want %s", in, got, want)
		}
	}
}

// A role session is authorized as its role, and its uses are attributed to the
// session that made them.
func TestRoleSessionAuthorizedAsRoleAttributedAsSession(t *testing.T) {
	hs := newHarness(t)
	hs.createKey("app-sess")
	session := "arn:aws:sts::111122223333:assumed-role/app/i-0123456789"
	mustStatus(t, hs.do("POST", "/v1/encrypt", session, js(map[string]any{"key": "app-sess", "plaintext": b64("x")})), 200)
	mustStatus(t, hs.do("POST", "/v1/keys/app-sess/disable", adminARN, `{"force":true,"reason":"r"}`), 200)
	r := hs.do("POST", "/v1/keys/app-sess/schedule-deletion", adminARN, "")
	if r.Status != 409 || !strings.Contains(r.Raw, session) {
		t.Fatalf("last use not attributed to the session: %d %s", r.Status, r.Raw)
	}
}
