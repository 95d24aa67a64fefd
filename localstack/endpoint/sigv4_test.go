package endpoint

import (
	"net/http/httptest"
	"testing"
)

func TestParseCredentialScope(t *testing.T) {
	tests := []struct {
		name, header, query string
		want                credentialScope
		ok                  bool
	}{
		{"header", "AWS4-HMAC-SHA256 Credential=AKIDALICE/20260102/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab", "",
			credentialScope{"AKIDALICE", "eu-west-1", "kms"}, true},
		{"header without spaces", "AWS4-HMAC-SHA256 Credential=K/20260102/us-east-1/sts/aws4_request,SignedHeaders=host,Signature=ab", "",
			credentialScope{"K", "us-east-1", "sts"}, true},
		{"presigned", "", "X-Amz-Credential=K%2F20260102%2Fus-east-1%2Fs3%2Faws4_request",
			credentialScope{"K", "us-east-1", "s3"}, true},
		{"missing", "", "", credentialScope{}, false},
		{"garbage", "Bearer xyz", "", credentialScope{}, false},
		{"short scope", "AWS4-HMAC-SHA256 Credential=K/us-east-1", "", credentialScope{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/?"+tc.query, nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			got, ok := parseCredentialScope(r)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParseCredentialScope(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/kms/aws4_request, Signature=x")
	f.Add("Credential=////")
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header["Authorization"] = []string{h}
		_, _ = parseCredentialScope(r)
	})
}
