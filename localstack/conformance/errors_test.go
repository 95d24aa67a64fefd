package conformance

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// rawCall sends a hand-made JSON protocol request, signed with a well-formed but
// unverified SigV4 header, as hostile or broken clients do.
func rawCall(t *testing.T, target, service, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, endpointURL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/"+service+
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: error body is not JSON: %q", target, b)
	}
	return resp.StatusCode, out
}

func errorType(body map[string]any) string {
	typ, _ := body["__type"].(string)
	if i := strings.LastIndex(typ, "#"); i >= 0 {
		typ = typ[i+1:]
	}
	return typ
}

func TestProtocolErrors(t *testing.T) {
	tests := []struct {
		name, target, service, body string
		status                      int
		code                        string
	}{
		{"unknown KMS operation", "TrentService.MakeCoffee", "kms", "{}", 400, "UnknownOperationException"},
		{"malformed JSON", "TrentService.Encrypt", "kms", "{not json", 400, "SerializationException"},
		{"wrong type", "TrentService.GenerateRandom", "kms", `{"NumberOfBytes":"many"}`, 400, "SerializationException"},
		{"bad base64", "TrentService.Decrypt", "kms", `{"CiphertextBlob":"***"}`, 400, "SerializationException"},
		{"missing parameter", "TrentService.Encrypt", "kms", `{"Plaintext":"aGk="}`, 400, "ValidationException"},
		{"unknown Secrets Manager operation", "secretsmanager.Nope", "secretsmanager", "{}", 400, "UnknownOperationException"},
		{"malformed Secrets Manager JSON", "secretsmanager.GetSecretValue", "secretsmanager", "[", 400, "SerializationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rawCall(t, tc.target, tc.service, tc.body)
			if status != tc.status || errorType(body) != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, body, tc.status, tc.code)
			}
			if _, ok := body["message"]; !ok && tc.code != "InvalidCiphertextException" {
				t.Fatalf("error body without message: %v", body)
			}
		})
	}
}

func TestOversizedBodyIsRejected(t *testing.T) {
	requireLocal(t) // the limit and its code are keyward's choice
	big := `{"Plaintext":"` + strings.Repeat("A", 3<<20) + `"}`
	status, body := rawCall(t, "TrentService.Encrypt", "kms", big)
	if status != http.StatusRequestEntityTooLarge || errorType(body) != "RequestEntityTooLargeException" {
		t.Fatalf("got %d %v", status, body)
	}
}
