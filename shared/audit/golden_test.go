package audit

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/normalised.golden.json")

// TestNormalisedGolden pins the normalised form of every EventBridge fixture
// (regenerate with -update after an intended change and review the diff).
func TestNormalisedGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "eventbridge-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	p := NewParser(ParserConfig{ContextKey: testContextKey})
	got := map[string]Record{}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "eventbridge-"), ".json")
		r, err := p.ParseRecord(fixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = r
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", "normalised.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		var w map[string]Record
		_ = json.Unmarshal(want, &w)
		for name, r := range got {
			gb, _ := json.Marshal(r)
			wb, _ := json.Marshal(w[name])
			if !bytes.Equal(gb, wb) {
				t.Errorf("%s differs from the golden file:\n got %s\nwant %s", name, gb, wb)
			}
		}
		if len(w) != len(got) {
			t.Errorf("golden file has %d records, fixtures %d", len(w), len(got))
		}
	}
}
