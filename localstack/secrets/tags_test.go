package secrets

import "testing"

func TestTagUntag(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "Tags": []map[string]string{{"Key": "a", "Value": "1"}}})
	f.must(t, "TagResource", map[string]any{"SecretId": "s", "Tags": []map[string]string{{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}}})
	f.must(t, "UntagResource", map[string]any{"SecretId": "s", "TagKeys": []string{"b"}})
	tags := f.must(t, "DescribeSecret", map[string]any{"SecretId": "s"})["Tags"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["Value"] != "2" {
		t.Errorf("tags = %v", tags)
	}
	many := make([]map[string]string, 0, 51)
	for i := range 51 {
		many = append(many, map[string]string{"Key": string(rune('A'+i%26)) + string(rune('a'+i/26)), "Value": ""})
	}
	_, err := f.call(t, "TagResource", map[string]any{"SecretId": "s", "Tags": many})
	wantCode(t, err, "InvalidParameterException")
	_, err = f.call(t, "TagResource", map[string]any{"SecretId": "s"})
	wantCode(t, err, "ValidationException")
	_, err = f.call(t, "TagResource", map[string]any{"SecretId": "nope", "Tags": []map[string]string{{"Key": "a"}}})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestUnknownOperation(t *testing.T) {
	f := newFixture(t)
	_, err := f.call(t, "BatchDeleteEverything", map[string]any{})
	wantCode(t, err, "UnknownOperationException")
}
