package endpoint

import (
	"net/http"
	"strings"
)

// credentialScope is what the SigV4 Authorization header (or a presigned URL's
// X-Amz-Credential) says about the caller: access key, region and signing name.
type credentialScope struct {
	AccessKeyID string
	Region      string
	Service     string
}

// parseCredentialScope reads "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kms/aws4_request, ...".
// The signature is not verified: the local endpoint trusts the caller, as LocalStack does.
func parseCredentialScope(r *http.Request) (credentialScope, bool) {
	cred := ""
	if h := r.Header.Get("Authorization"); h != "" {
		i := strings.Index(h, "Credential=")
		if i < 0 {
			return credentialScope{}, false
		}
		cred = h[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if q := r.URL.Query().Get("X-Amz-Credential"); q != "" {
		cred = q
	} else {
		return credentialScope{}, false
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" {
		return credentialScope{}, false
	}
	return credentialScope{AccessKeyID: parts[0], Region: parts[2], Service: parts[3]}, true
}
