package secrets

import "testing"

func TestGetSecretValueSelection(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "one", "ClientRequestToken": token('1')})
	f.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretBinary": []byte{0, 1, 2}, "ClientRequestToken": token('2')})
	cases := []struct {
		name string
		in   map[string]any
		want string // VersionId, or error code
	}{
		{"default AWSCURRENT", map[string]any{"SecretId": "s"}, token('2')},
		{"by stage", map[string]any{"SecretId": "s", "VersionStage": "AWSPREVIOUS"}, token('1')},
		{"by id", map[string]any{"SecretId": "s", "VersionId": token('1')}, token('1')},
		{"id and matching stage", map[string]any{"SecretId": "s", "VersionId": token('1'), "VersionStage": "AWSPREVIOUS"}, token('1')},
		{"id and other stage", map[string]any{"SecretId": "s", "VersionId": token('1'), "VersionStage": "AWSCURRENT"}, "ResourceNotFoundException"},
		{"unknown id", map[string]any{"SecretId": "s", "VersionId": token('9')}, "ResourceNotFoundException"},
		{"unknown stage", map[string]any{"SecretId": "s", "VersionStage": "NOPE"}, "ResourceNotFoundException"},
		{"empty id", map[string]any{"SecretId": ""}, "ValidationException"},
		{"id too long", map[string]any{"SecretId": string(make([]byte, 2049))}, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.call(t, "GetSecretValue", tc.in)
			if len(tc.want) != 32 {
				wantCode(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out["VersionId"] != tc.want {
				t.Errorf("VersionId = %v, want %s", out["VersionId"], tc.want)
			}
		})
	}
	bin := f.must(t, "GetSecretValue", map[string]any{"SecretId": "s"})
	if bin["SecretBinary"] != "AAEC" || bin["SecretString"] != nil {
		t.Errorf("binary value = %v", bin)
	}
}

func TestGetSecretValueDisabledKey(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v", "KmsKeyId": "cmk"})
	f.keys.disabled["cmk"] = true
	_, err := f.call(t, "GetSecretValue", map[string]any{"SecretId": "s"})
	wantCode(t, err, "DecryptionFailure")
	f.keys.disabled["cmk"] = false
	if d := f.must(t, "DescribeSecret", map[string]any{"SecretId": "s"}); d["KmsKeyId"] != "cmk" {
		t.Errorf("KmsKeyId = %v", d["KmsKeyId"])
	}
}

func TestUpdateSecretKeyChangeReencrypts(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"})
	f.must(t, "UpdateSecret", map[string]any{"SecretId": "s", "KmsKeyId": "cmk2", "Description": "d"})
	f.keys.disabled[DefaultKeyID] = true // old key gone: the value must use the new key
	if got := f.must(t, "GetSecretValue", map[string]any{"SecretId": "s"}); got["SecretString"] != "v" {
		t.Errorf("value = %v", got["SecretString"])
	}
	f.keys.disabled["cmk3"] = true
	_, err := f.call(t, "UpdateSecret", map[string]any{"SecretId": "s", "KmsKeyId": "cmk3"})
	wantCode(t, err, "EncryptionFailure")
	if d := f.must(t, "DescribeSecret", map[string]any{"SecretId": "s"}); d["KmsKeyId"] != "cmk2" || d["Description"] != "d" {
		t.Errorf("failed update changed the secret: %v", d)
	}
	up := f.must(t, "UpdateSecret", map[string]any{"SecretId": "s", "SecretString": "w", "ClientRequestToken": token('u')})
	if up["VersionId"] != token('u') {
		t.Errorf("UpdateSecret with a value = %v", up)
	}
}

func TestUpdateSecretFailureChangesNothing(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "Description": "before", "SecretString": "v", "KmsKeyId": "cmk"})
	f.keys.disabled["cmk"] = true
	_, err := f.call(t, "UpdateSecret", map[string]any{"SecretId": "s", "Description": "after", "SecretString": "w"})
	wantCode(t, err, "EncryptionFailure")
	f.keys.disabled["cmk"] = false
	d := f.must(t, "DescribeSecret", map[string]any{"SecretId": "s"})
	if d["Description"] != "before" || len(d["VersionIdsToStages"].(map[string]any)) != 1 {
		t.Errorf("a failed UpdateSecret changed the secret: %v", d)
	}
}
