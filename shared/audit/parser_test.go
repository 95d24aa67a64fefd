package audit

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testKey    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testKey2   = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"
	testAlias  = "arn:aws:kms:us-east-1:111122223333:alias/keyward-prod"
	testSecret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"
	testRole   = "arn:aws:iam::111122223333:role/app-role"
	testAlice  = "arn:aws:iam::111122223333:user/Alice"
	testNet    = "ip4:198.51.100.0/24"
)

var testContextKey = []byte("keyward-test-context-key")

// fixture reads events/eventbridge-<name>.json and returns its detail.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", "eventbridge-"+name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev.Detail
}

func TestParseRecordFixtures(t *testing.T) {
	tests := []struct {
		fixture   string
		name      string
		kind      Kind
		resources []string
		principal string
		network   string
		outcome   string
		mgmt      bool
		readOnly  bool
		context   bool // encryption context expected (hashed) when stored
	}{
		{"kms-decrypt", "Decrypt", KindData, []string{testKey}, testRole, testNet, OutcomeOK, true, true, false},
		{"kms-encrypt", "Encrypt", KindData, []string{testKey}, testRole, testNet, OutcomeOK, true, true, false},
		{"kms-generatedatakey", "GenerateDataKey", KindData, []string{testKey}, testRole, testNet, OutcomeOK, true, true, false},
		{"kms-generatedatakeywithoutplaintext", "GenerateDataKeyWithoutPlaintext", KindData, []string{testKey}, testRole, testNet, OutcomeOK, true, true, false},
		{"kms-reencrypt", "ReEncrypt", KindData, []string{testKey, testKey2}, testRole, testNet, OutcomeOK, true, true, false},
		{"kms-disablekey", "DisableKey", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-enablekey", "EnableKey", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-schedulekeydeletion", "ScheduleKeyDeletion", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-cancelkeydeletion", "CancelKeyDeletion", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-putkeypolicy", "PutKeyPolicy", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-creategrant", "CreateGrant", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-revokegrant", "RevokeGrant", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-retiregrant", "RetireGrant", KindControl, []string{testKey}, testRole, testNet, OutcomeOK, true, false, false},
		{"kms-createalias", "CreateAlias", KindControl, []string{testAlias, testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-updatealias", "UpdateAlias", KindControl, []string{testAlias, testKey2, testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-enablekeyrotation", "EnableKeyRotation", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-disablekeyrotation", "DisableKeyRotation", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-rotatekeyondemand", "RotateKeyOnDemand", KindControl, []string{testKey}, testAlice, testNet, OutcomeOK, true, false, false},
		{"kms-error-accessdenied", "Decrypt", KindData, []string{testKey}, testRole, "ip4:203.0.113.0/24", "AccessDenied", true, true, true},
		{"kms-error-pendingdeletion", "Decrypt", KindData, []string{testKey}, testRole, testNet, "KMSInvalidStateException", true, true, true},
		{"kms-error-invalidciphertext", "Decrypt", KindData, nil, testRole, testNet, "InvalidCiphertextException", true, true, true},
		{"kms-decrypt-invokedby-secretsmanager", "Decrypt", KindData, []string{testKey}, testRole, "svc:secretsmanager.amazonaws.com", OutcomeOK, true, true, false},
		{"kms-decrypt-legacy", "Decrypt", KindData, []string{testKey}, testRole, "vpce:vpce-0a1b2c3d4e5f6a7b8", OutcomeOK, true, true, false},
		{"kms-deletekey", "DeleteKey", KindService, []string{testKey}, "AWS Internal", "svc:AWS Internal", OutcomeOK, true, false, false},
		{"secretsmanager-getsecretvalue", "GetSecretValue", KindData, []string{testSecret}, testRole, testNet, OutcomeOK, true, true, false},
		{"secretsmanager-getsecretvalue-legacy-arn", "GetSecretValue", KindData, []string{testSecret}, testRole, testNet, OutcomeOK, true, true, false},
		{"secretsmanager-putsecretvalue", "PutSecretValue", KindControl, []string{testSecret}, testAlice, testNet, OutcomeOK, true, false, false},
		{"secretsmanager-updatesecretversionstage", "UpdateSecretVersionStage", KindControl, []string{testSecret}, testRole, testNet, OutcomeOK, true, false, false},
		{"secretsmanager-rotatesecret", "RotateSecret", KindControl, []string{testSecret}, testAlice, testNet, OutcomeOK, true, false, false},
		{"secretsmanager-deletesecret", "DeleteSecret", KindControl, []string{testSecret}, testAlice, testNet, OutcomeOK, true, false, false},
		{"secretsmanager-putresourcepolicy", "PutResourcePolicy", KindControl, []string{testSecret}, testAlice, testNet, OutcomeOK, true, false, false},
		{"secretsmanager-rotationsucceeded", "RotationSucceeded", KindService, []string{testSecret}, "secretsmanager.amazonaws.com", "svc:secretsmanager.amazonaws.com", OutcomeOK, true, false, false},
		{"secretsmanager-rotationfailed", "RotationFailed", KindService, []string{testSecret}, "secretsmanager.amazonaws.com", "svc:secretsmanager.amazonaws.com", OutcomeOK, true, false, false},
		{"ssm-getparameter", "GetParameter", KindData, []string{"arn:aws:ssm:us-east-1:111122223333:parameter/prod/api-key"}, testRole, testNet, OutcomeOK, true, true, false},
		{"ssm-getparametersbypath", "GetParametersByPath", KindData, []string{"arn:aws:ssm:us-east-1:111122223333:parameter/prod/"}, testRole, testNet, OutcomeOK, true, true, false},
	}
	p := NewParser(ParserConfig{ContextKey: testContextKey})
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			data := fixture(t, tt.fixture)
			r, err := p.ParseRecord(data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Name != tt.name || r.Kind != tt.kind {
				t.Errorf("name/kind = %s/%s, want %s/%s", r.Name, r.Kind, tt.name, tt.kind)
			}
			if strings.Join(r.Resources, ",") != strings.Join(tt.resources, ",") {
				t.Errorf("resources = %q, want %q", r.Resources, tt.resources)
			}
			if r.Principal.Key != tt.principal {
				t.Errorf("principal key = %q, want %q", r.Principal.Key, tt.principal)
			}
			if r.Network != tt.network {
				t.Errorf("network = %q, want %q", r.Network, tt.network)
			}
			if r.Outcome() != tt.outcome {
				t.Errorf("outcome = %q, want %q", r.Outcome(), tt.outcome)
			}
			if r.ManagementEvent != tt.mgmt || r.ReadOnly != tt.readOnly || r.Category != "Management" {
				t.Errorf("management/readOnly/category = %v/%v/%s", r.ManagementEvent, r.ReadOnly, r.Category)
			}
			if r.EventID == "" || r.Time.IsZero() || r.Region != "us-east-1" || r.Account != "111122223333" {
				t.Errorf("identity fields missing: %+v", r)
			}
			if tt.context && len(r.Context) == 0 {
				t.Errorf("encryption context not kept")
			}
			if r.Stored() != (tt.kind != KindData || tt.outcome != OutcomeOK) {
				t.Errorf("Stored() = %v", r.Stored())
			}
			// Nothing readable from the encryption context survives.
			for _, s := range []string{r.RequestParameters, r.ResponseElements, r.AdditionalEventData} {
				for _, clear := range []string{"Engineering", "Alpha", "Wrong"} {
					if strings.Contains(s, clear) {
						t.Errorf("encryption-context value %q stored in clear: %s", clear, s)
					}
				}
			}
			for k, v := range r.Context {
				if strings.Contains(v, "Engineering") || len(v) != 32 {
					t.Errorf("context %s = %q, want a 32-hex-digit HMAC", k, v)
				}
			}
		})
	}
}

func TestParseRecordHashesContextWithKey(t *testing.T) {
	data := fixture(t, "kms-error-pendingdeletion")
	a, err := NewParser(ParserConfig{ContextKey: []byte("one")}).ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewParser(ParserConfig{ContextKey: []byte("two")}).ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if a.Context["Department"] == "" || a.Context["Department"] == b.Context["Department"] {
		t.Fatalf("context hash must depend on the configured key: %q vs %q", a.Context["Department"], b.Context["Department"])
	}
}

func TestParseRecordStripsSecrets(t *testing.T) {
	data := []byte(`{"eventID":"e1","eventTime":"2026-12-01T10:00:00Z","eventSource":"secretsmanager.amazonaws.com",
		"eventName":"PutSecretValue","recipientAccountId":"111122223333",
		"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Alice"},
		"requestParameters":{"secretId":"s","secretString":"hunter2","SecretBinary":"aHVudGVyMg==","nested":{"plaintext":"p4ss"}},
		"responseElements":{"Plaintext":"cGxhaW4="}}`)
	r, err := NewParser(ParserConfig{ContextKey: testContextKey}).ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	all := r.RequestParameters + r.ResponseElements
	for _, secret := range []string{"hunter2", "aHVudGVyMg==", "p4ss", "cGxhaW4="} {
		if strings.Contains(all, secret) {
			t.Errorf("secret %q kept: %s", secret, all)
		}
	}
	if !strings.Contains(r.RequestParameters, `"secretId":"s"`) {
		t.Errorf("non-secret member lost: %s", r.RequestParameters)
	}
}

func TestParseRecordRejects(t *testing.T) {
	tests := []struct {
		name string
		data string
		want error
	}{
		{"not json", `{"eventID":`, ErrMalformedInput},
		{"array", `[]`, ErrMalformedInput},
		{"trailing", `{"eventID":"a"} x`, ErrMalformedInput},
		{"no event id", `{"eventTime":"2026-12-01T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt"}`, ErrMalformedRecord},
		{"bad time", `{"eventID":"a","eventTime":"yesterday","eventSource":"kms.amazonaws.com","eventName":"Decrypt"}`, ErrMalformedRecord},
		{"31 february", `{"eventID":"a","eventTime":"2026-02-31T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt"}`, ErrMalformedRecord},
		{"other service", `{"eventID":"a","eventTime":"2026-12-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}`, ErrIgnored},
		{"control char", "{\"eventID\":\"a\x01\"}", ErrMalformedInput},
	}
	p := NewParser(ParserConfig{ContextKey: testContextKey})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.ParseRecord([]byte(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseRecordUnknownEventStoredGenerically(t *testing.T) {
	data := []byte(`{"eventID":"u1","eventTime":"2026-12-01T10:00:00.123Z","eventSource":"kms.amazonaws.com",
		"eventName":"SomeFutureOperation","recipientAccountId":"111122223333","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},
		"requestParameters":{"keyId":"alias/thing","weird":[1,2,{"x":null}]}}`)
	r, err := NewParser(ParserConfig{ContextKey: testContextKey}).ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != KindUnknown || !r.Stored() || r.Resource() != "alias/thing" {
		t.Fatalf("got kind %s stored %v resource %q", r.Kind, r.Stored(), r.Resource())
	}
	if r.Time.Nanosecond() != 123e6 {
		t.Errorf("fractional eventTime lost: %v", r.Time)
	}
}
