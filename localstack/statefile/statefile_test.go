package statefile

import (
	"os"
	"path/filepath"
	"testing"
)

type state struct {
	Keys map[string]int `json:"keys"`
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "kms.json")
	var empty state
	found, err := Load(path, &empty)
	if err != nil || found {
		t.Fatalf("Load of missing file = %v, %v; want false, nil", found, err)
	}
	want := state{Keys: map[string]int{"a": 1, "b": 2}}
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	var got state
	if found, err := Load(path, &got); err != nil || !found {
		t.Fatalf("Load = %v, %v", found, err)
	}
	if len(got.Keys) != 2 || got.Keys["b"] != 2 {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestLoadCorruptFileFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	var s state
	if _, err := Load(path, &s); err == nil {
		t.Fatal("Load of corrupt file succeeded")
	}
}
