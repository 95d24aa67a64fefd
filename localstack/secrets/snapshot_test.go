package secrets

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secretsmanager.json")
	keys := newFakeKeys()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	open := func() *fixture {
		svc, err := New(Options{Keys: keys, StatePath: path, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return &fixture{svc: svc, keys: keys}
	}
	a := open()
	arn := a.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v1"})["ARN"]
	a.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "v2"})
	a.must(t, "CreateSecret", map[string]any{"Name": "gone"})
	a.must(t, "DeleteSecret", map[string]any{"SecretId": "gone", "RecoveryWindowInDays": 7})
	if b, _ := os.ReadFile(path); len(b) == 0 {
		t.Fatal("no state file after writes")
	}
	if err := a.svc.Close(); err != nil {
		t.Fatal(err)
	}
	b := open() // a restart
	got := b.must(t, "GetSecretValue", map[string]any{"SecretId": arn})
	if got["SecretString"] != "v2" {
		t.Errorf("after restart = %v", got)
	}
	if prev := b.must(t, "GetSecretValue", map[string]any{"SecretId": "s", "VersionStage": "AWSPREVIOUS"}); prev["SecretString"] != "v1" {
		t.Errorf("AWSPREVIOUS after restart = %v", prev)
	}
	_, err := b.call(t, "GetSecretValue", map[string]any{"SecretId": "gone"})
	wantCode(t, err, "InvalidRequestException")
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp"))
	if len(matches) != 0 {
		t.Errorf("temp files left: %v", matches)
	}
}

func TestSnapshotRestore(t *testing.T) {
	a := newFixture(t)
	a.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"})
	snap, err := a.svc.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b := newFixture(t)
	b.keys = a.keys
	b.svc.opts.Keys = a.keys
	if err := b.svc.Restore([]byte("{not json")); err == nil {
		t.Error("bad snapshot accepted")
	}
	if err := b.svc.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := b.must(t, "GetSecretValue", map[string]any{"SecretId": "s"}); got["SecretString"] != "v" {
		t.Errorf("restored = %v", got)
	}
}

func TestCorruptStateFileFailsStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Keys: newFakeKeys(), StatePath: path}); err == nil {
		t.Error("corrupt state file accepted")
	}
}
