package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// fakeKeys is an in-memory KeyRing for unit tests: AES-256-GCM per key with the
// encryption context bound as AAD, keys that can be disabled.
type fakeKeys struct {
	mu       sync.Mutex
	keys     map[string][]byte
	disabled map[string]bool
	calls    int
}

func newFakeKeys() *fakeKeys {
	return &fakeKeys{keys: map[string][]byte{}, disabled: map[string]bool{}}
}

func (k *fakeKeys) arn(id string) string { return "arn:aws:kms:us-east-1:111122223333:key/" + id }

func (k *fakeKeys) key(id string) ([]byte, error) {
	if k.disabled[id] {
		return nil, awsapi.NewError(http.StatusBadRequest, "DisabledException", "%s is disabled.", k.arn(id))
	}
	if id == "missing" {
		return nil, awsapi.NewError(http.StatusBadRequest, "NotFoundException", "Key '%s' does not exist", id)
	}
	if _, ok := k.keys[id]; !ok {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		k.keys[id] = b
	}
	return k.keys[id], nil
}

func aad(ec map[string]string) []byte {
	ks := make([]string, 0, len(ec))
	for k := range ec {
		ks = append(ks, k+"="+ec[k])
	}
	sort.Strings(ks)
	return []byte(strings.Join(ks, "&"))
}

func (k *fakeKeys) Encrypt(_ context.Context, keyID string, plain []byte, ec map[string]string) ([]byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls++
	key, err := k.key(keyID)
	if err != nil {
		return nil, "", err
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	blob := append([]byte(keyID+"\x00"), nonce...)
	return gcm.Seal(blob, nonce, plain, aad(ec)), k.arn(keyID), nil
}

func (k *fakeKeys) Decrypt(_ context.Context, blob []byte, ec map[string]string) ([]byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls++
	bad := awsapi.NewError(http.StatusBadRequest, "InvalidCiphertextException", "")
	id, rest, ok := strings.Cut(string(blob), "\x00")
	if !ok {
		return nil, "", bad
	}
	key, err := k.key(id)
	if err != nil {
		return nil, "", err
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	if len(rest) < gcm.NonceSize() {
		return nil, "", bad
	}
	plain, err := gcm.Open(nil, []byte(rest[:gcm.NonceSize()]), []byte(rest[gcm.NonceSize():]), aad(ec))
	if err != nil {
		return nil, "", bad
	}
	return plain, k.arn(id), nil
}

// events records service events.
type events struct {
	mu  sync.Mutex
	got []awsapi.ServiceEvent
}

func (e *events) ServiceEvent(ev awsapi.ServiceEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, ev)
}

func (e *events) names() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var n []string
	for _, ev := range e.got {
		n = append(n, ev.EventName)
	}
	return n
}

// invokerFunc adapts a function to awsapi.Invoker.
type invokerFunc func(ctx context.Context, function string, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	return f(ctx, function, payload)
}

type fixture struct {
	svc    *Service
	keys   *fakeKeys
	events *events
	now    time.Time
	invoke invokerFunc
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{keys: newFakeKeys(), events: &events{}, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	svc, err := New(Options{Keys: f.keys, Events: f.events, Now: func() time.Time { return f.now },
		Invoker: invokerFunc(func(ctx context.Context, fn string, p []byte) ([]byte, error) {
			if f.invoke == nil {
				return nil, errors.New("no function")
			}
			return f.invoke(ctx, fn, p)
		})})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

// call runs op with body (marshalled to JSON) and returns the output as a map.
func (f *fixture) call(t *testing.T, op string, body any) (map[string]any, error) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.Serve(context.Background(), &awsapi.Call{Service: "secretsmanager", Operation: op, Body: raw})
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("%s: marshal output: %v", op, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: output is not an object: %s", op, b)
	}
	return m, nil
}

func (f *fixture) must(t *testing.T, op string, body any) map[string]any {
	t.Helper()
	m, err := f.call(t, op, body)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	return m
}

// wantCode asserts err is an *awsapi.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *awsapi.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.Code != code {
		t.Fatalf("code = %s (%s), want %s", ae.Code, ae.Message, code)
	}
	if ae.Status != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400", ae.Status)
	}
}

func token(c byte) string { return strings.Repeat(string(c), 32) }

func stagesOf(t *testing.T, f *fixture, id string) map[string][]string {
	t.Helper()
	d := f.must(t, "DescribeSecret", map[string]any{"SecretId": id})
	out := map[string][]string{}
	m, _ := d["VersionIdsToStages"].(map[string]any)
	for k, v := range m {
		for _, l := range v.([]any) {
			out[k] = append(out[k], l.(string))
		}
		sort.Strings(out[k])
	}
	return out
}
