package envelope_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward/shared/envelope"
)

// FuzzDecrypt feeds arbitrary bytes to both decryptors. They must never panic, must agree, and a
// message that decrypts must decrypt to the same plaintext both ways. Seeds: fresh messages of
// several suites and, when present, the committed vectors' ciphertexts.
func FuzzDecrypt(f *testing.F) {
	ctx := context.Background()
	aes := mustAESKeyring(f, 256)
	for _, cfg := range []envelope.Config{
		{Keyring: aes, FrameLength: 16},
		{Keyring: aes, Suite: envelope.AES256GCMHKDFSHA512CommitECDSAP384, FrameLength: 16},
		{Keyring: aes, Suite: envelope.AES128GCMHKDFSHA256, CommitmentPolicy: envelope.ForbidEncryptAllowDecrypt},
	} {
		msg, err := mustClient(f, cfg).Encrypt(ctx, pattern(50), map[string]string{"a": "b"})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "vectors", "ciphertexts", "*"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	dec := mustClient(f, envelope.Config{Keyring: aes, CommitmentPolicy: envelope.RequireEncryptAllowDecrypt})
	f.Fuzz(func(t *testing.T, msg []byte) {
		pt, _, err := dec.Decrypt(ctx, msg, nil)
		r, rerr := dec.NewDecryptReader(ctx, bytes.NewReader(msg), nil)
		var spt []byte
		if rerr == nil {
			spt, rerr = io.ReadAll(r)
		}
		if err == nil {
			if rerr != nil || !bytes.Equal(pt, spt) {
				t.Fatalf("Decrypt succeeded, DecryptReader: %v", rerr)
			}
		}
	})
}
