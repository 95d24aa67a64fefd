package secrets

import (
	"testing"
	"time"
)

func TestDeleteAndRestore(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"})
	out := f.must(t, "DeleteSecret", map[string]any{"SecretId": "s", "RecoveryWindowInDays": 7})
	if want := float64(f.now.AddDate(0, 0, 7).Unix()); out["DeletionDate"] != want {
		t.Errorf("DeletionDate = %v, want %v", out["DeletionDate"], want)
	}
	_, err := f.call(t, "GetSecretValue", map[string]any{"SecretId": "s"})
	wantCode(t, err, "InvalidRequestException")
	_, err = f.call(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "w"})
	wantCode(t, err, "InvalidRequestException")
	if d := f.must(t, "DescribeSecret", map[string]any{"SecretId": "s"}); d["DeletedDate"] == nil {
		t.Errorf("DescribeSecret of a deleted secret = %v", d)
	}
	if l := f.must(t, "ListSecrets", map[string]any{}); len(l["SecretList"].([]any)) != 0 {
		t.Error("ListSecrets shows a deleted secret")
	}
	if l := f.must(t, "ListSecrets", map[string]any{"IncludePlannedDeletion": true}); len(l["SecretList"].([]any)) != 1 {
		t.Error("IncludePlannedDeletion hides the deleted secret")
	}
	f.must(t, "RestoreSecret", map[string]any{"SecretId": "s"})
	if got := f.must(t, "GetSecretValue", map[string]any{"SecretId": "s"}); got["SecretString"] != "v" {
		t.Errorf("restored value = %v", got["SecretString"])
	}
	// after the recovery window the secret is gone and its name free again
	f.must(t, "DeleteSecret", map[string]any{"SecretId": "s"})
	f.now = f.now.Add(31 * 24 * time.Hour)
	_, err = f.call(t, "DescribeSecret", map[string]any{"SecretId": "s"})
	wantCode(t, err, "ResourceNotFoundException")
	f.must(t, "CreateSecret", map[string]any{"Name": "s"})
}

func TestDeleteSecretErrors(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		code string
	}{
		{"window too short", map[string]any{"SecretId": "s", "RecoveryWindowInDays": 6}, "InvalidParameterException"},
		{"window too long", map[string]any{"SecretId": "s", "RecoveryWindowInDays": 31}, "InvalidParameterException"},
		{"both", map[string]any{"SecretId": "s", "RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": true}, "InvalidParameterException"},
		{"unknown", map[string]any{"SecretId": "t"}, "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"})
			_, err := f.call(t, "DeleteSecret", tc.in)
			wantCode(t, err, tc.code)
			f.must(t, "GetSecretValue", map[string]any{"SecretId": "s"})
		})
	}
}

func TestForceDelete(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"})
	f.must(t, "DeleteSecret", map[string]any{"SecretId": "s", "ForceDeleteWithoutRecovery": true})
	_, err := f.call(t, "DescribeSecret", map[string]any{"SecretId": "s"})
	wantCode(t, err, "ResourceNotFoundException")
	f.must(t, "CreateSecret", map[string]any{"Name": "s"})
}
