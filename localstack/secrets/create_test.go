package secrets

import (
	"regexp"
	"strings"
	"testing"
)

func TestCreateSecret(t *testing.T) {
	f := newFixture(t)
	out := f.must(t, "CreateSecret", map[string]any{"Name": "app/db", "SecretString": "s3cret", "ClientRequestToken": token('a')})
	if !regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-[A-Za-z0-9]{6}$`).MatchString(out["ARN"].(string)) {
		t.Errorf("ARN = %v", out["ARN"])
	}
	if out["VersionId"] != token('a') {
		t.Errorf("VersionId = %v, want the ClientRequestToken", out["VersionId"])
	}
	got := f.must(t, "GetSecretValue", map[string]any{"SecretId": "app/db"})
	if got["SecretString"] != "s3cret" || got["VersionId"] != token('a') {
		t.Errorf("GetSecretValue = %v", got)
	}
	// the value is stored as ciphertext, never as plaintext
	for _, v := range f.svc.secrets[out["ARN"].(string)].Versions {
		if strings.Contains(string(v.Value), "s3cret") {
			t.Error("secret value stored in plaintext")
		}
	}
}

func TestCreateSecretErrors(t *testing.T) {
	big := strings.Repeat("x", maxValueLen+1)
	cases := []struct {
		name string
		in   map[string]any
		code string
	}{
		{"empty name", map[string]any{"Name": ""}, "ValidationException"},
		{"name too long", map[string]any{"Name": strings.Repeat("a", 513)}, "ValidationException"},
		{"bad character", map[string]any{"Name": "a b"}, "InvalidParameterException"},
		{"unicode name", map[string]any{"Name": "clé"}, "InvalidParameterException"},
		{"value too large", map[string]any{"Name": "n", "SecretString": big}, "ValidationException"},
		{"binary too large", map[string]any{"Name": "n", "SecretBinary": []byte(big)}, "ValidationException"},
		{"both values", map[string]any{"Name": "n", "SecretString": "a", "SecretBinary": []byte("b")}, "InvalidParameterException"},
		{"short token", map[string]any{"Name": "n", "SecretString": "a", "ClientRequestToken": "abc"}, "ValidationException"},
		{"reserved tag", map[string]any{"Name": "n", "Tags": []map[string]string{{"Key": "aws:x", "Value": "v"}}}, "InvalidParameterException"},
		{"wrong type", map[string]any{"Name": 5}, "SerializationException"},
		{"bad base64", map[string]any{"Name": "n", "SecretBinary": "!!not base64!!"}, "SerializationException"},
		{"disabled key", map[string]any{"Name": "n", "SecretString": "a", "KmsKeyId": "k1"}, "EncryptionFailure"},
		{"missing key", map[string]any{"Name": "n", "SecretString": "a", "KmsKeyId": "missing"}, "EncryptionFailure"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.keys.disabled["k1"] = true
			_, err := f.call(t, "CreateSecret", tc.in)
			wantCode(t, err, tc.code)
			if len(f.svc.secrets) != 0 {
				t.Error("a failed CreateSecret left a secret behind")
			}
		})
	}
}

func TestCreateSecretExists(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "dup"})
	_, err := f.call(t, "CreateSecret", map[string]any{"Name": "dup"})
	wantCode(t, err, "ResourceExistsException")
	f.must(t, "DeleteSecret", map[string]any{"SecretId": "dup"})
	_, err = f.call(t, "CreateSecret", map[string]any{"Name": "dup"})
	wantCode(t, err, "InvalidRequestException")
}

func TestSecretAddressing(t *testing.T) {
	f := newFixture(t)
	arn := f.must(t, "CreateSecret", map[string]any{"Name": "team/api-key", "SecretString": "v"})["ARN"].(string)
	partial := arn[:len(arn)-7]
	for _, id := range []string{"team/api-key", arn, partial} {
		if got := f.must(t, "GetSecretValue", map[string]any{"SecretId": id}); got["ARN"] != arn {
			t.Errorf("%s resolved to %v", id, got["ARN"])
		}
	}
	for _, id := range []string{"team/api", "arn:aws:secretsmanager:us-east-1:999999999999:secret:team/api-key", arn + "x"} {
		_, err := f.call(t, "GetSecretValue", map[string]any{"SecretId": id})
		wantCode(t, err, "ResourceNotFoundException")
	}
}

func TestCreateSecretRetry(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"Name": "s", "SecretString": "v", "ClientRequestToken": token('r')}
	first := f.must(t, "CreateSecret", in)
	again := f.must(t, "CreateSecret", in) // a retry of the same call succeeds
	if first["ARN"] != again["ARN"] || again["VersionId"] != token('r') {
		t.Errorf("retry = %v, first %v", again, first)
	}
	for _, other := range []map[string]any{
		{"Name": "s", "SecretString": "w", "ClientRequestToken": token('r')},
		{"Name": "s", "SecretString": "v", "ClientRequestToken": token('x')},
		{"Name": "s", "SecretString": "v"},
	} {
		_, err := f.call(t, "CreateSecret", other)
		wantCode(t, err, "ResourceExistsException")
	}
}
