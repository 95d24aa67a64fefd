package envelope_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/keyward/keyward/shared/envelope"
)

// TestTamperEveryByte flips each byte of several messages, one at a time, and requires both the
// one-shot and the streaming decryptor to fail (and the streaming one to release no plaintext it
// has not authenticated).
func TestTamperEveryByte(t *testing.T) {
	ctx := context.Background()
	aes := mustAESKeyring(t, 256)
	rsaKr := mustRSAKeyring(t, envelope.PKCS1)
	type msgCase struct {
		name   string
		cfg    envelope.Config
		framed bool
		size   int
	}
	cases := []msgCase{
		{"v2-unsigned-framed", envelope.Config{Keyring: aes, FrameLength: 16}, true, 40},
		{"v2-signed-framed", envelope.Config{Keyring: aes, Suite: envelope.AES256GCMHKDFSHA512CommitECDSAP384, FrameLength: 16}, true, 40},
		{"v2-nonframed-rsa-pkcs1", envelope.Config{Keyring: rsaKr}, false, 20},
		{"v1-signed-framed", envelope.Config{Keyring: aes, Suite: envelope.AES128GCMHKDFSHA256ECDSAP256, CommitmentPolicy: envelope.ForbidEncryptAllowDecrypt, FrameLength: 16}, true, 33},
		{"v1-nonframed-nokdf", envelope.Config{Keyring: aes, Suite: envelope.AES128GCMNoKDF, CommitmentPolicy: envelope.ForbidEncryptAllowDecrypt}, false, 20},
	}
	for _, mc := range cases {
		t.Run(mc.name, func(t *testing.T) {
			if !mc.framed {
				envelope.SetNonFramed(&mc.cfg)
			}
			enc := mustClient(t, mc.cfg)
			dec := mustClient(t, envelope.Config{Keyring: mc.cfg.Keyring, CommitmentPolicy: envelope.RequireEncryptAllowDecrypt})
			pt := pattern(mc.size)
			msg, err := enc.Encrypt(ctx, pt, map[string]string{"tenant": "a"})
			if err != nil {
				t.Fatal(err)
			}
			if got, _, err := dec.Decrypt(ctx, msg, nil); err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("untampered message: %v", err)
			}
			for i := range msg {
				for _, flip := range []byte{0x01, 0x80} {
					bad := bytes.Clone(msg)
					bad[i] ^= flip
					if got, _, err := dec.Decrypt(ctx, bad, nil); err == nil {
						t.Fatalf("byte %d ^ %#x: Decrypt succeeded (%d bytes)", i, flip, len(got))
					}
					r, err := dec.NewDecryptReader(ctx, bytes.NewReader(bad), nil)
					if err != nil {
						continue
					}
					got, err := io.ReadAll(r)
					if err == nil {
						t.Fatalf("byte %d ^ %#x: DecryptReader succeeded", i, flip)
					}
					if !bytes.HasPrefix(pt, got) {
						t.Fatalf("byte %d ^ %#x: DecryptReader released bytes that are not the plaintext", i, flip)
					}
				}
			}
			// Dropping or adding bytes fails too.
			if _, _, err := dec.Decrypt(ctx, append(bytes.Clone(msg), 0), nil); err == nil {
				t.Fatal("trailing byte accepted")
			}
			if _, _, err := dec.Decrypt(ctx, msg[:len(msg)-1], nil); err == nil {
				t.Fatal("truncated message accepted")
			}
		})
	}
}

// TestAuthenticationErrorIsOpaque checks that tag, commitment and signature failures are all the
// one ErrAuthentication, with no detail.
func TestAuthenticationErrorIsOpaque(t *testing.T) {
	ctx := context.Background()
	aes := mustAESKeyring(t, 256)
	c := mustClient(t, envelope.Config{Keyring: aes, Suite: envelope.AES256GCMHKDFSHA512CommitECDSAP384, FrameLength: 16})
	msg, err := c.Encrypt(ctx, pattern(40), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, i := range map[string]int{"signature": len(msg) - 1, "last frame tag": len(msg) - 110, "first byte of body": len(msg) - 200} {
		bad := bytes.Clone(msg)
		bad[i] ^= 1
		_, _, err := c.Decrypt(ctx, bad, nil)
		if err != envelope.ErrAuthentication && !errors.Is(err, envelope.ErrMalformed) {
			t.Errorf("%s: %v, want exactly ErrAuthentication", name, err)
		}
	}
}
