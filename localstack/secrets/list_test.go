package secrets

import (
	"testing"
	"time"
)

func names(l map[string]any) []string {
	var out []string
	for _, e := range l["SecretList"].([]any) {
		out = append(out, e.(map[string]any)["Name"].(string))
	}
	return out
}

func TestListSecretsFilters(t *testing.T) {
	f := newFixture(t)
	for i, s := range []struct{ name, desc, tagKey string }{
		{"prod/db", "Primary database", "team"},
		{"prod/api", "Partner API key", "owner"},
		{"dev/db", "dev database", "team"},
	} {
		f.now = f.now.Add(time.Duration(i) * time.Minute)
		f.must(t, "CreateSecret", map[string]any{"Name": s.name, "Description": s.desc, "Tags": []map[string]string{{"Key": s.tagKey, "Value": "x"}}})
	}
	cases := []struct {
		name    string
		filters []map[string]any
		want    int
	}{
		{"none", nil, 3},
		{"name prefix", []map[string]any{{"Key": "name", "Values": []string{"prod/"}}}, 2},
		{"name is case-sensitive", []map[string]any{{"Key": "name", "Values": []string{"PROD/"}}}, 0},
		{"description not case-sensitive", []map[string]any{{"Key": "description", "Values": []string{"DEV"}}}, 1},
		{"tag-key", []map[string]any{{"Key": "tag-key", "Values": []string{"team"}}}, 2},
		{"negation", []map[string]any{{"Key": "tag-key", "Values": []string{"!team"}}}, 1},
		{"and of filters", []map[string]any{{"Key": "name", "Values": []string{"prod"}}, {"Key": "tag-key", "Values": []string{"team"}}}, 1},
		{"all words", []map[string]any{{"Key": "all", "Values": []string{"database"}}}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := f.must(t, "ListSecrets", map[string]any{"Filters": tc.filters})
			if got := names(l); len(got) != tc.want {
				t.Errorf("got %v, want %d", got, tc.want)
			}
		})
	}
	_, err := f.call(t, "ListSecrets", map[string]any{"Filters": []map[string]any{{"Key": "colour", "Values": []string{"x"}}}})
	wantCode(t, err, "ValidationException")
}

func TestListSecretsPaging(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		f.now = f.now.Add(time.Second)
		f.must(t, "CreateSecret", map[string]any{"Name": n})
	}
	var all []string
	var next any
	for {
		in := map[string]any{"MaxResults": 2}
		if next != nil {
			in["NextToken"] = next
		}
		l := f.must(t, "ListSecrets", in)
		all = append(all, names(l)...)
		if next = l["NextToken"]; next == nil {
			break
		}
	}
	if len(all) != 5 || all[0] != "a" || all[4] != "e" {
		t.Errorf("pages = %v", all)
	}
	desc := names(f.must(t, "ListSecrets", map[string]any{"SortOrder": "desc"}))
	if desc[0] != "e" {
		t.Errorf("desc = %v", desc)
	}
	for _, in := range []map[string]any{{"NextToken": "garbage"}, {"MaxResults": 0}, {"MaxResults": 101}, {"SortOrder": "up"}} {
		_, err := f.call(t, "ListSecrets", in)
		if err == nil {
			t.Errorf("%v accepted", in)
		}
	}
}
