package secrets

import (
	"reflect"
	"testing"
)

func TestUpdateSecretVersionStage(t *testing.T) {
	setup := func(t *testing.T) *fixture {
		f := newFixture(t)
		f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "1", "ClientRequestToken": token('1')})
		f.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "2", "ClientRequestToken": token('2'), "VersionStages": []string{"AWSPENDING"}})
		return f
	}
	cases := []struct {
		name string
		in   map[string]any
		code string
		want map[string][]string
	}{
		{"move AWSCURRENT needs RemoveFromVersionId",
			map[string]any{"SecretId": "s", "VersionStage": "AWSCURRENT", "MoveToVersionId": token('2')}, "InvalidParameterException", nil},
		{"RemoveFromVersionId must be the holder",
			map[string]any{"SecretId": "s", "VersionStage": "AWSCURRENT", "MoveToVersionId": token('2'), "RemoveFromVersionId": token('2')}, "InvalidParameterException", nil},
		{"move AWSCURRENT makes AWSPREVIOUS",
			map[string]any{"SecretId": "s", "VersionStage": "AWSCURRENT", "MoveToVersionId": token('2'), "RemoveFromVersionId": token('1')}, "",
			map[string][]string{token('1'): {"AWSPREVIOUS"}, token('2'): {"AWSCURRENT", "AWSPENDING"}}},
		{"AWSCURRENT can't be removed",
			map[string]any{"SecretId": "s", "VersionStage": "AWSCURRENT", "RemoveFromVersionId": token('1')}, "InvalidParameterException", nil},
		{"remove a label",
			map[string]any{"SecretId": "s", "VersionStage": "AWSPENDING", "RemoveFromVersionId": token('2')}, "",
			map[string][]string{token('1'): {"AWSCURRENT"}}},
		{"new label",
			map[string]any{"SecretId": "s", "VersionStage": "GREEN", "MoveToVersionId": token('1')}, "",
			map[string][]string{token('1'): {"AWSCURRENT", "GREEN"}, token('2'): {"AWSPENDING"}}},
		{"unknown version",
			map[string]any{"SecretId": "s", "VersionStage": "GREEN", "MoveToVersionId": token('9')}, "InvalidParameterException", nil},
		{"nothing to do",
			map[string]any{"SecretId": "s", "VersionStage": "GREEN"}, "InvalidParameterException", nil},
		{"no stage",
			map[string]any{"SecretId": "s", "MoveToVersionId": token('1')}, "ValidationException", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			before := stagesOf(t, f, "s")
			_, err := f.call(t, "UpdateSecretVersionStage", tc.in)
			got := stagesOf(t, f, "s")
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if !reflect.DeepEqual(got, before) {
					t.Errorf("failed call changed stages: %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("stages = %v, want %v", got, tc.want)
			}
		})
	}
}
