package envelope_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/keyward/keyward/shared/envelope"
)

func TestRoundTripEverySuite(t *testing.T) {
	ctx := context.Background()
	ec := map[string]string{"purpose": "test", "tenant": "t-1", "ünïcode": "välue ✓"}
	for _, id := range envelope.Suites() {
		for _, framed := range []bool{true, false} {
			for _, size := range []int{0, 1, 100, 128, 129, 1000} {
				name := fmt.Sprintf("%s/framed=%v/%d", id, framed, size)
				t.Run(name, func(t *testing.T) {
					cfg := envelope.Config{Keyring: mustAESKeyring(t, 256), Suite: id, FrameLength: 128, CommitmentPolicy: policyFor(id)}
					if !framed {
						envelope.SetNonFramed(&cfg)
					}
					c := mustClient(t, cfg)
					pt := pattern(size)
					msg, err := c.Encrypt(ctx, pt, ec)
					if err != nil {
						t.Fatal(err)
					}
					got, gotEC, err := c.Decrypt(ctx, msg, ec)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, pt) {
						t.Fatalf("plaintext differs")
					}
					for k, v := range ec {
						if gotEC[k] != v {
							t.Fatalf("context %q = %q, want %q", k, gotEC[k], v)
						}
					}
					if _, ok := gotEC["aws-crypto-public-key"]; ok != id.Signed() {
						t.Fatalf("public key in context: %v, signed suite: %v", ok, id.Signed())
					}
				})
			}
		}
	}
}

func TestKeyrings(t *testing.T) {
	ctx := context.Background()
	krs := map[string]envelope.Keyring{
		"aes-128": mustAESKeyring(t, 128), "aes-192": mustAESKeyring(t, 192), "aes-256": mustAESKeyring(t, 256),
		"rsa-pkcs1": mustRSAKeyring(t, envelope.PKCS1), "rsa-oaep-sha1": mustRSAKeyring(t, envelope.OAEPSHA1),
		"rsa-oaep-sha256": mustRSAKeyring(t, envelope.OAEPSHA256), "rsa-oaep-sha384": mustRSAKeyring(t, envelope.OAEPSHA384),
		"rsa-oaep-sha512": mustRSAKeyring(t, envelope.OAEPSHA512),
	}
	for name, kr := range krs {
		t.Run(name, func(t *testing.T) {
			c := mustClient(t, envelope.Config{Keyring: kr})
			msg, err := c.Encrypt(ctx, []byte("hello"), map[string]string{"a": "b"})
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := c.Decrypt(ctx, msg, nil)
			if err != nil || string(got) != "hello" {
				t.Fatalf("Decrypt = %q, %v", got, err)
			}
			// A keyring with another key must not decrypt it.
			otherKr, _ := envelope.NewRawAESKeyring("keyward-test", "other", testAESKey(32))
			other := mustClient(t, envelope.Config{Keyring: otherKr})
			if _, _, err := other.Decrypt(ctx, msg, nil); err == nil {
				t.Fatal("decrypted with the wrong keyring")
			}
		})
	}
}

func TestMultiKeyring(t *testing.T) {
	ctx := context.Background()
	aes, rsaKr := mustAESKeyring(t, 256), mustRSAKeyring(t, envelope.OAEPSHA256)
	multi, err := envelope.NewMultiKeyring(aes, rsaKr)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mustClient(t, envelope.Config{Keyring: multi}).Encrypt(ctx, []byte("both"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, kr := range map[string]envelope.Keyring{"aes": aes, "rsa": rsaKr, "multi": multi} {
		got, _, err := mustClient(t, envelope.Config{Keyring: kr}).Decrypt(ctx, msg, nil)
		if err != nil || string(got) != "both" {
			t.Errorf("%s: Decrypt = %q, %v", name, got, err)
		}
	}
}

func TestCommitmentPolicy(t *testing.T) {
	ctx := context.Background()
	kr := mustAESKeyring(t, 256)
	legacy := mustClient(t, envelope.Config{Keyring: kr, Suite: envelope.AES256GCMHKDFSHA256, CommitmentPolicy: envelope.ForbidEncryptAllowDecrypt})
	msg, err := legacy.Encrypt(ctx, []byte("old"), nil)
	if err != nil {
		t.Fatal(err)
	}
	strict := mustClient(t, envelope.Config{Keyring: kr})
	if _, _, err := strict.Decrypt(ctx, msg, nil); !errors.Is(err, envelope.ErrCommitmentPolicy) {
		t.Fatalf("strict Decrypt of a v1 message: %v, want ErrCommitmentPolicy", err)
	}
	allow := mustClient(t, envelope.Config{Keyring: kr, CommitmentPolicy: envelope.RequireEncryptAllowDecrypt})
	if got, _, err := allow.Decrypt(ctx, msg, nil); err != nil || string(got) != "old" {
		t.Fatalf("allow Decrypt = %q, %v", got, err)
	}
	if _, err := envelope.NewClient(envelope.Config{Keyring: kr, Suite: envelope.AES256GCMHKDFSHA256}); !errors.Is(err, envelope.ErrCommitmentPolicy) {
		t.Fatalf("NewClient with a legacy suite under the default policy: %v", err)
	}
}

func TestRequiredContext(t *testing.T) {
	ctx := context.Background()
	c := mustClient(t, envelope.Config{Keyring: mustAESKeyring(t, 256)})
	msg, err := c.Encrypt(ctx, []byte("x"), map[string]string{"tenant": "a", "kind": "k"})
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string]map[string]string{
		"missing": {"region": "x"}, "differs": {"tenant": "b"},
	} {
		if _, _, err := c.Decrypt(ctx, msg, req); !errors.Is(err, envelope.ErrContextMismatch) {
			t.Errorf("%s: %v, want ErrContextMismatch", name, err)
		}
	}
	if _, err := c.Encrypt(ctx, nil, map[string]string{"aws-crypto-x": "1"}); !errors.Is(err, envelope.ErrInvalidContext) {
		t.Errorf("reserved key: %v", err)
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	kr := mustAESKeyring(t, 256)
	multi, _ := envelope.NewMultiKeyring(kr, mustAESKeyring(t, 128), mustAESKeyring(t, 192))
	msg, err := mustClient(t, envelope.Config{Keyring: multi, FrameLength: 8192}).Encrypt(ctx, []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, lim := range map[string]envelope.Limits{
		"edks":   {MaxEncryptedDataKeys: 2},
		"header": {MaxHeaderSize: 100},
		"frame":  {MaxFrameLength: 4096},
	} {
		c := mustClient(t, envelope.Config{Keyring: kr, Limits: lim})
		if _, _, err := c.Decrypt(ctx, msg, nil); !errors.Is(err, envelope.ErrLimit) {
			t.Errorf("%s: %v, want ErrLimit", name, err)
		}
	}
	if _, err := mustClient(t, envelope.Config{Keyring: multi, Limits: envelope.Limits{MaxEncryptedDataKeys: 2}}).Encrypt(ctx, nil, nil); !errors.Is(err, envelope.ErrLimit) {
		t.Errorf("encrypt with too many EDKs: %v", err)
	}
}
