package keyops

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func encryptPayload(tb testing.TB, alias string, size int) []byte {
	pt := make([]byte, size)
	_, _ = rand.Read(pt)
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: "/v1/encrypt",
		Body: js(map[string]any{"key": alias, "plaintext": base64.StdEncoding.EncodeToString(pt), "context": map[string]string{"tenant": "t1"}}),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "bench",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/v1/encrypt"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: appARN},
			},
		},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestKMSCallsPer10000Encrypts: 10,000 POST /v1/encrypt through the Lambda entry
// point against the local endpoint's KMS make at most one KMS call (the first
// GenerateDataKey; the cached data key serves the rest).
func TestKMSCallsPer10000Encrypts(t *testing.T) {
	ls := newLocalStack(t)
	ls.harness(t).createKey("app-count")
	payload := encryptPayload(t, "app-count", 1024)
	for i := 0; i < 10_000; i++ {
		out, err := ls.invoke(t.Context(), payload)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode != 200 {
				t.Fatalf("encrypt: %s", out)
			}
		}
	}
	calls := ls.kms.generate.Load() + ls.kms.encrypt.Load() + ls.kms.decrypt.Load()
	t.Logf("KMS calls for 10,000 encrypts: %d (GenerateDataKey %d); cache %+v", calls, ls.kms.generate.Load(), ls.esdk.Stats())
	if calls > 1 {
		t.Fatalf("%d KMS calls for 10,000 encrypts, want at most 1", calls)
	}
}

// BenchmarkEncrypt1KiB: POST /v1/encrypt of 1 KiB through lambda.NewHandler(h.Invoke)
// with warm caches (data key, registry, policy), against the local endpoint; beside
// it the envelope package alone on the same cached data key, for the ratio.
func BenchmarkEncrypt1KiB(b *testing.B) {
	ls := newLocalStack(b)
	k := ls.harness(b).createKey("app-bench")
	// production writes the same lines to stdout; here they cost CPU, not I/O
	ls.h.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	ls.h.metrics = newEMF(io.Discard, time.Now)
	payload := encryptPayload(b, "app-bench", 1024)
	b.Run("handler", func(b *testing.B) {
		if _, err := ls.invoke(b.Context(), payload); err != nil { // warm
			b.Fatal(err)
		}
		before := ls.kms.generate.Load()
		b.ReportAllocs()
		b.SetBytes(1024)
		start := time.Now()
		for b.Loop() {
			if _, err := ls.invoke(b.Context(), payload); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invocations/s")
		b.ReportMetric(float64(ls.kms.generate.Load()-before)*10_000/float64(b.N), "KMS-calls/10k")
	})
	b.Run("envelope-only", func(b *testing.B) {
		pt := make([]byte, 1024)
		ec := map[string]string{"tenant": "t1"}
		if _, err := ls.esdk.Encrypt(b.Context(), k.str("keyArn"), pt, ec); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.SetBytes(1024)
		start := time.Now()
		for b.Loop() {
			if _, err := ls.esdk.Encrypt(b.Context(), k.str("keyArn"), pt, ec); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "encrypts/s")
	})
}
