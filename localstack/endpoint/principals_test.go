package endpoint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrincipalsCaller(t *testing.T) {
	p := DefaultPrincipals("111122223333")
	tests := []struct {
		key, arn, typ, idPrefix string
	}{
		{"AKIDALICE", "arn:aws:iam::111122223333:user/alice", "IAMUser", "AIDA"},
		{"AKIDROOT", "arn:aws:iam::111122223333:root", "Root", "111122223333"},
		{"ASIAROTATION", "arn:aws:sts::111122223333:assumed-role/keyward-rotation/keyward-rotation", "AssumedRole", "AROA"},
		{"UNKNOWNKEY", "arn:aws:iam::111122223333:user/keyward-local", "IAMUser", "AIDA"},
	}
	for _, tc := range tests {
		c := p.Caller(tc.key)
		if c.ARN != tc.arn || c.Type != tc.typ || !strings.HasPrefix(c.PrincipalID, tc.idPrefix) ||
			c.AccountID != "111122223333" || c.AccessKeyID != tc.key {
			t.Errorf("Caller(%s) = %+v", tc.key, c)
		}
	}
	if a, b := p.Caller("AKIDALICE").PrincipalID, p.Caller("AKIDBOB").PrincipalID; a == b {
		t.Errorf("alice and bob share principal id %s", a)
	}
	if got := p.Caller("ASIAROTATION").PrincipalID; !strings.HasSuffix(got, ":keyward-rotation") {
		t.Errorf("assumed-role principal id %q lacks the session name", got)
	}
}

func TestLoadPrincipals(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"AKIDCAROL":"arn:aws:iam::111122223333:user/carol"}`), 0o600)
	p, err := LoadPrincipals(good, "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	if p.Caller("AKIDCAROL").ARN != "arn:aws:iam::111122223333:user/carol" || p.Caller("AKIDALICE").ARN == "" {
		t.Fatalf("merged map wrong: %v", p)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"K":"arn:aws:s3:::bucket"}`), 0o600)
	if _, err := LoadPrincipals(bad, "111122223333"); err == nil {
		t.Fatal("bucket ARN accepted as a principal")
	}
}
