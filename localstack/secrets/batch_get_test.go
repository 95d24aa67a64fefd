package secrets

import "testing"

func TestBatchGetSecretValue(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "app/a", "SecretString": "1"})
	f.must(t, "CreateSecret", map[string]any{"Name": "app/b", "SecretBinary": []byte{2}})
	f.must(t, "CreateSecret", map[string]any{"Name": "app/empty"})
	f.must(t, "CreateSecret", map[string]any{"Name": "other", "SecretString": "3"})
	out := f.must(t, "BatchGetSecretValue", map[string]any{"SecretIdList": []string{"app/a", "app/b", "missing", "app/empty"}})
	vals, errs := out["SecretValues"].([]any), out["Errors"].([]any)
	if len(vals) != 2 || vals[0].(map[string]any)["SecretString"] != "1" || vals[1].(map[string]any)["SecretBinary"] != "Ag==" {
		t.Errorf("values = %v", vals)
	}
	if len(errs) != 2 || errs[0].(map[string]any)["ErrorCode"] != "ResourceNotFoundException" || errs[0].(map[string]any)["SecretId"] != "missing" {
		t.Errorf("errors = %v", errs)
	}
	byFilter := f.must(t, "BatchGetSecretValue", map[string]any{"Filters": []map[string]any{{"Key": "name", "Values": []string{"app/"}}}, "MaxResults": 1})
	if len(byFilter["SecretValues"].([]any)) != 1 || byFilter["NextToken"] == nil {
		t.Errorf("by filter = %v", byFilter)
	}
	for _, in := range []map[string]any{
		{},
		{"SecretIdList": []string{"a"}, "Filters": []map[string]any{{"Key": "name", "Values": []string{"a"}}}},
		{"SecretIdList": []string{"a"}, "MaxResults": 5},
		{"SecretIdList": make([]string, 21)},
		{"Filters": []map[string]any{{"Key": "name", "Values": []string{"a"}}}, "MaxResults": 21},
	} {
		if _, err := f.call(t, "BatchGetSecretValue", in); err == nil {
			t.Errorf("%v accepted", in)
		}
	}
}
