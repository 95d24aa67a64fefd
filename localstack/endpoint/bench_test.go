package endpoint_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keyward/keyward/localstack/endpoint"
)

// serveOnce sends one JSON request straight to the handler (no network, no SDK)
// so the benchmarks measure the endpoint alone.
func serveOnce(b *testing.B, srv *endpoint.Server, target, body string) []byte {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/20260101/us-east-1/kms/aws4_request, Signature=0")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func benchServer(b *testing.B) (*endpoint.Server, string) {
	srv, err := endpoint.Start(context.Background(), endpoint.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	var k struct{ KeyMetadata struct{ KeyId string } }
	_ = json.Unmarshal(serveOnce(b, srv, "TrentService.CreateKey", "{}"), &k)
	return srv, k.KeyMetadata.KeyId
}

// BenchmarkGenerateRandom is the peer: the routing, SigV4 parsing, trail and
// JSON cost of a call whose work is nearly nothing.
func BenchmarkGenerateRandom(b *testing.B) {
	srv, _ := benchServer(b)
	for b.Loop() {
		serveOnce(b, srv, "TrentService.GenerateRandom", `{"NumberOfBytes":32}`)
	}
}

func BenchmarkGenerateDataKey(b *testing.B) {
	srv, id := benchServer(b)
	body := `{"KeyId":"` + id + `","KeySpec":"AES_256","EncryptionContext":{"tenant":"a"}}`
	for b.Loop() {
		serveOnce(b, srv, "TrentService.GenerateDataKey", body)
	}
}

func BenchmarkDecrypt(b *testing.B) {
	srv, id := benchServer(b)
	var enc struct{ CiphertextBlob []byte }
	_ = json.Unmarshal(serveOnce(b, srv, "TrentService.Encrypt", `{"KeyId":"`+id+`","Plaintext":"aGVsbG8="}`), &enc)
	body := `{"CiphertextBlob":"` + base64.StdEncoding.EncodeToString(enc.CiphertextBlob) + `"}`
	for b.Loop() {
		serveOnce(b, srv, "TrentService.Decrypt", body)
	}
}
