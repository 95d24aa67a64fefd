package envelope

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha512"
	"testing"
)

// TestDeriveCommitKeysMatchesHKDF checks the hand-rolled HKDF-SHA512 against crypto/hkdf.
func TestDeriveCommitKeysMatchesHKDF(t *testing.T) {
	for i := range 20 {
		dataKey := bytes.Repeat([]byte{byte(i)}, 32)
		messageID := bytes.Repeat([]byte{byte(i * 3)}, 32)
		for _, id := range []SuiteID{AES256GCMHKDFSHA512Commit, AES256GCMHKDFSHA512CommitECDSAP384} {
			enc, commit := deriveCommitKeys(id, dataKey, messageID)
			prk, _ := hkdf.Extract(sha512.New, dataKey, messageID)
			wantEnc, _ := hkdf.Expand(sha512.New, prk, string([]byte{byte(id >> 8), byte(id)})+"DERIVEKEY", 32)
			wantCommit, _ := hkdf.Expand(sha512.New, prk, "COMMITKEY", 32)
			if !bytes.Equal(enc, wantEnc) || !bytes.Equal(commit, wantCommit) {
				t.Fatalf("suite %s, key %d: derived keys differ from crypto/hkdf", id, i)
			}
		}
	}
}

func BenchmarkDeriveCommitKeys(b *testing.B) {
	dataKey, messageID := make([]byte, 32), make([]byte, 32)
	b.ReportAllocs()
	for b.Loop() {
		deriveCommitKeys(AES256GCMHKDFSHA512Commit, dataKey, messageID)
	}
}
