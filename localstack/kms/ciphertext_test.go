package kms

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

const testKeyID = "1234abcd-12ab-34cd-56ef-1234567890ab"

func testMaterial(t testing.TB) []byte {
	m := make([]byte, 32)
	if _, err := rand.Read(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSealOpenRoundTrip(t *testing.T) {
	m := testMaterial(t)
	ctx := map[string]string{"purpose": "test", "tenant": "a"}
	blob, err := seal(testKeyID, 3, m, []byte("hello"), ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseBlobHeader(blob)
	if err != nil || h.KeyID != testKeyID || h.Version != 3 {
		t.Fatalf("header = %+v, %v", h, err)
	}
	pt, err := open(blob, m, map[string]string{"tenant": "a", "purpose": "test"})
	if err != nil || string(pt) != "hello" {
		t.Fatalf("open = %q, %v", pt, err)
	}
}

func TestOpenRejectsEveryTamperedByte(t *testing.T) {
	m := testMaterial(t)
	ctx := map[string]string{"k": "v"}
	blob, err := seal(testKeyID, 1, m, []byte("secret data"), ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range blob {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(blob)
			bad[i] ^= bit
			if _, err := open(bad, m, ctx); !errors.Is(err, errInvalidCiphertext) {
				t.Fatalf("byte %d bit %#x: open succeeded on tampered blob", i, bit)
			}
		}
	}
}

func TestOpenRejectsWrongContext(t *testing.T) {
	m := testMaterial(t)
	blob, _ := seal(testKeyID, 1, m, []byte("x"), map[string]string{"a": "bc"})
	for _, ctx := range []map[string]string{nil, {"ab": "c"}, {"a": "bc", "extra": ""}, {"a": "BC"}} {
		if _, err := open(blob, m, ctx); err == nil {
			t.Errorf("context %v accepted", ctx)
		}
	}
	if _, err := open(blob, testMaterial(t), map[string]string{"a": "bc"}); err == nil {
		t.Error("other key material accepted")
	}
}

func TestParseBlobHeaderRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("short"), make([]byte, 60), append([]byte{2}, make([]byte, 60)...)} {
		if _, err := parseBlobHeader(b); err == nil {
			t.Errorf("accepted %d bytes starting %x", len(b), b[:min(len(b), 2)])
		}
	}
}

func FuzzOpen(f *testing.F) {
	m := make([]byte, 32)
	blob, _ := seal(testKeyID, 1, m, []byte("seed"), nil)
	f.Add(blob)
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseBlobHeader(b); err != nil {
			return
		}
		if pt, err := open(b, m, nil); err == nil && !bytes.Equal(b, blob) {
			t.Fatalf("forged blob opened: %q", pt)
		}
	})
}
