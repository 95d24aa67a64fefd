package secrets

import (
	"strings"
	"testing"
)

func TestRandomPassword(t *testing.T) {
	yes, no := true, false
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	cases := []struct {
		name  string
		in    getRandomPasswordInput
		len   int
		allow string
		each  []string
	}{
		{"default", getRandomPasswordInput{}, 32, lowerChars + upperChars + digitChars + punctChars, []string{lowerChars, upperChars, digitChars, punctChars}},
		{"digits only", getRandomPasswordInput{PasswordLength: n(8), ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true}, 8, digitChars, []string{digitChars}},
		{"exclude characters", getRandomPasswordInput{PasswordLength: n(200), ExcludeCharacters: s("abcdefghijklmnopqrstuvwxy"), ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true}, 200, "z", []string{"z"}},
		{"space", getRandomPasswordInput{PasswordLength: n(4), IncludeSpace: true, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true}, 4, digitChars + " ", []string{digitChars, " "}},
		{"length one without require", getRandomPasswordInput{PasswordLength: n(1), RequireEachIncludedType: &no}, 1, lowerChars + upperChars + digitChars + punctChars, nil},
		{"max length", getRandomPasswordInput{PasswordLength: n(4096), RequireEachIncludedType: &yes}, 4096, lowerChars + upperChars + digitChars + punctChars, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 {
				p, err := randomPassword(tc.in)
				if err != nil {
					t.Fatal(err)
				}
				if len(p) != tc.len {
					t.Fatalf("len = %d, want %d", len(p), tc.len)
				}
				for _, r := range p {
					if !strings.ContainsRune(tc.allow, r) {
						t.Fatalf("%q has %q", p, r)
					}
				}
				for _, class := range tc.each {
					if !strings.ContainsAny(p, class) {
						t.Fatalf("%q lacks a character of %q", p, class)
					}
				}
			}
		})
	}
}

func TestRandomPasswordErrors(t *testing.T) {
	f := newFixture(t)
	for _, in := range []map[string]any{
		{"PasswordLength": 0},
		{"PasswordLength": 4097},
		{"PasswordLength": 3}, // four types required
		{"ExcludeLowercase": true, "ExcludeUppercase": true, "ExcludeNumbers": true, "ExcludePunctuation": true},
		{"ExcludeNumbers": true, "ExcludePunctuation": true, "ExcludeCharacters": lowerChars + upperChars},
		{"PasswordLength": "long"},
	} {
		if _, err := f.call(t, "GetRandomPassword", in); err == nil {
			t.Errorf("%v accepted", in)
		}
	}
	if p := f.must(t, "GetRandomPassword", map[string]any{}); len(p["RandomPassword"].(string)) != 32 {
		t.Errorf("default password = %v", p)
	}
}
