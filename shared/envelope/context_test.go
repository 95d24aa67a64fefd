package envelope

import (
	"encoding/hex"
	"errors"
	"testing"
)

// TestContextSerialization pins the serialization of structures.md, including the binary UTF-8
// key order (uppercase before lowercase; code points beyond the BMP after U+FFFD).
func TestContextSerialization(t *testing.T) {
	tests := []struct {
		name string
		ec   map[string]string
		want string
	}{
		{"empty", nil, ""},
		{"one", map[string]string{"a": "b"}, "0001" + "0001" + "61" + "0001" + "62"},
		{"sorted by bytes", map[string]string{"b": "", "B": "x", "a": "1"},
			"0003" + "0001" + "42" + "0001" + "78" + "0001" + "61" + "0001" + "31" + "0001" + "62" + "0000"},
		// "ü" (C3 BC) sorts after "z" (7A), and U+1F511 (F0 9F 94 91) after U+FFFD (EF BF BD):
		// the UTF-16 order of JavaScript would put the emoji first.
		{"non-ASCII", map[string]string{"\U0001F511": "k", "\uFFFD": "r", "ü": "u", "z": "z"},
			"0004" + "0001" + "7a" + "0001" + "7a" + "0002" + "c3bc" + "0001" + "75" + "0003" + "efbfbd" + "0001" + "72" + "0004" + "f09f9491" + "0001" + "6b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serializeContext(tt.ec)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tt.want {
				t.Fatalf("serialized\n got %x\nwant %s", got, tt.want)
			}
			back, err := parseContext(got)
			if err != nil || len(back) != len(tt.ec) {
				t.Fatalf("parse back: %v (%d entries)", err, len(back))
			}
			for k, v := range tt.ec {
				if back[k] != v {
					t.Fatalf("parse back: %q = %q, want %q", k, back[k], v)
				}
			}
		})
	}
}

func TestParseContextRejects(t *testing.T) {
	for name, h := range map[string]string{
		"truncated count": "00",
		"truncated key":   "0001" + "0005" + "61",
		"duplicate key":   "0002" + "0001" + "61" + "0000" + "0001" + "61" + "0000",
		"trailing bytes":  "0001" + "0001" + "61" + "0000" + "00",
		"not UTF-8":       "0001" + "0001" + "ff" + "0000",
	} {
		b, _ := hex.DecodeString(h)
		if _, err := parseContext(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}
