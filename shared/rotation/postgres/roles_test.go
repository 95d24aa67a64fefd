package postgres

import (
	"strings"
	"testing"
)

func TestRolesFor(t *testing.T) {
	long57 := strings.Repeat("a", 57)
	for _, tc := range []struct {
		user, owner string
		want        Roles
		wantErr     bool
	}{
		{"app", "", Roles{"app", "app_clone", "app_owner"}, false},
		{"app_clone", "", Roles{"app", "app_clone", "app_owner"}, false},
		{"App \"x\"", "team_owner", Roles{"App \"x\"", "App \"x\"_clone", "team_owner"}, false},
		{long57, "", Roles{long57, long57 + "_clone", long57 + "_owner"}, false},
		{long57 + "b", "", Roles{}, true},
		{strings.Repeat("é", 29), "", Roles{}, true}, // 58 bytes
		{"_clone", "", Roles{}, true},
		{"app", strings.Repeat("o", 64), Roles{}, true},
	} {
		got, err := RolesFor(tc.user, tc.owner)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("RolesFor(%q, %q) = %+v, %v; want %+v, error %v", tc.user, tc.owner, got, err, tc.want, tc.wantErr)
		}
		if err == nil && (got.Other(got.Base) != got.Clone || got.Other(got.Clone) != got.Base) {
			t.Errorf("Other does not alternate for %q", tc.user)
		}
	}
}

func TestQuoteLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "'plain'",
		"o'b":   "'o''b'",
		`a\b'c`: `E'a\\b''c'`,
		"":      "''",
		"\"x\"": `'"x"'`,
	} {
		if got := quoteLiteral(in); got != want {
			t.Errorf("quoteLiteral(%q) = %s, want %s", in, got, want)
		}
	}
}

// The verifier format PostgreSQL parses: SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>.
func TestSCRAMVerifierFormat(t *testing.T) {
	v, err := scramVerifierWith("pencil", []byte("0123456789abcdef"), 4096)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$") || strings.Count(v, ":") != 2 {
		t.Fatalf("unexpected verifier %s", v)
	}
	w, _ := scramVerifierWith("pencil2", []byte("0123456789abcdef"), 4096)
	if v == w {
		t.Fatal("different passwords gave one verifier")
	}
	if strings.Contains(v, "pencil") {
		t.Fatal("verifier holds the password")
	}
}
