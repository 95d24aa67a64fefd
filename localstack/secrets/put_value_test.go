package secrets

import (
	"reflect"
	"testing"
)

func TestPutSecretValueIdempotency(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v1", "ClientRequestToken": token('1')})
	put := map[string]any{"SecretId": "s", "SecretString": "v2", "ClientRequestToken": token('2')}
	first := f.must(t, "PutSecretValue", put)
	again := f.must(t, "PutSecretValue", put) // same token, same value: no-op
	if first["VersionId"] != again["VersionId"] {
		t.Errorf("retry changed the version: %v vs %v", first, again)
	}
	if n := len(f.svc.byName["s"].Versions); n != 2 {
		t.Errorf("versions = %d, want 2", n)
	}
	_, err := f.call(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "other", "ClientRequestToken": token('2')})
	wantCode(t, err, "ResourceExistsException")
	_, err = f.call(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretBinary": []byte("v2"), "ClientRequestToken": token('2')})
	wantCode(t, err, "ResourceExistsException")
	want := map[string][]string{token('1'): {"AWSPREVIOUS"}, token('2'): {"AWSCURRENT"}}
	if got := stagesOf(t, f, "s"); !reflect.DeepEqual(got, want) {
		t.Errorf("stages = %v, want %v", got, want)
	}
}

func TestPutSecretValueStages(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s"})
	// the first version of a secret becomes AWSCURRENT even when labelled otherwise
	f.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "a", "ClientRequestToken": token('a'), "VersionStages": []string{"BLUE"}})
	f.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "b", "ClientRequestToken": token('b'), "VersionStages": []string{"BLUE"}})
	f.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "c", "ClientRequestToken": token('c')})
	want := map[string][]string{token('a'): {"AWSPREVIOUS"}, token('b'): {"BLUE"}, token('c'): {"AWSCURRENT"}}
	if got := stagesOf(t, f, "s"); !reflect.DeepEqual(got, want) {
		t.Errorf("stages = %v, want %v", got, want)
	}
	got := f.must(t, "GetSecretValue", map[string]any{"SecretId": "s", "VersionStage": "BLUE"})
	if got["SecretString"] != "b" {
		t.Errorf("BLUE = %v", got["SecretString"])
	}
}

func TestPutSecretValueErrors(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		code string
	}{
		{"no value", map[string]any{"SecretId": "s"}, "InvalidRequestException"},
		{"unknown secret", map[string]any{"SecretId": "nope", "SecretString": "x"}, "ResourceNotFoundException"},
		{"too large", map[string]any{"SecretId": "s", "SecretString": string(make([]byte, maxValueLen+1))}, "ValidationException"},
		{"empty stages", map[string]any{"SecretId": "s", "SecretString": "x", "VersionStages": []string{}}, "ValidationException"},
		{"stages wrong type", map[string]any{"SecretId": "s", "SecretString": "x", "VersionStages": "AWSCURRENT"}, "SerializationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"})
			_, err := f.call(t, "PutSecretValue", tc.in)
			wantCode(t, err, tc.code)
			if n := len(f.svc.byName["s"].Versions); n != 1 {
				t.Errorf("versions = %d after a failed put", n)
			}
		})
	}
}

func TestMaxAtSizeLimit(t *testing.T) {
	f := newFixture(t)
	v := string(make([]byte, maxValueLen))
	f.must(t, "CreateSecret", map[string]any{"Name": "big", "SecretString": v})
	if got := f.must(t, "GetSecretValue", map[string]any{"SecretId": "big"}); len(got["SecretString"].(string)) != maxValueLen {
		t.Error("65,536-byte value not returned whole")
	}
}

func TestDeprecatedVersionsPruned(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"})
	for range maxVersions + 20 {
		f.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "v"})
	}
	sec := f.svc.byName["s"]
	if len(sec.Versions) != maxVersions {
		t.Errorf("versions = %d, want %d", len(sec.Versions), maxVersions)
	}
	if sec.stageOwner(stageCurrent) == nil || sec.stageOwner(stagePrevious) == nil {
		t.Error("pruning removed a labelled version")
	}
	l := f.must(t, "ListSecretVersionIds", map[string]any{"SecretId": "s"})
	if n := len(l["Versions"].([]any)); n != 2 {
		t.Errorf("ListSecretVersionIds = %d versions, want the 2 labelled", n)
	}
	l = f.must(t, "ListSecretVersionIds", map[string]any{"SecretId": "s", "IncludeDeprecated": true, "MaxResults": 100})
	if n := len(l["Versions"].([]any)); n != maxVersions || l["NextToken"] != nil {
		t.Errorf("IncludeDeprecated = %d versions (next %v)", n, l["NextToken"])
	}
}
