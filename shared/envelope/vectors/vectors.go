// Package vectors runs AWS Encryption SDK decrypt test vectors (the awses-decrypt manifest format
// of aws-crypto-tools-test-vector-framework) against keyward's envelope package.
//
// Supported: decrypt manifests of version 1 and 2, keys manifests of version 3 with raw AES and
// raw RSA keys (PEM), master keys of type "raw"; `file://` references resolve relative to the
// manifest's folder. Tests whose master keys are all AWS KMS keys are skipped (they need AWS).
package vectors

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/keyward/keyward/shared/envelope"
)

// Manifest is a parsed awses-decrypt manifest with its keys.
type Manifest struct {
	dir   string
	Tests map[string]Test
	keys  map[string]Key
}

// Test is one decrypt test.
type Test struct {
	Description string      `json:"description"`
	Ciphertext  string      `json:"ciphertext"`
	Plaintext   string      `json:"plaintext"` // version 1
	MasterKeys  []MasterKey `json:"master-keys"`
	Result      *struct {
		Output *struct {
			Plaintext string `json:"plaintext"`
		} `json:"output"`
		Error *struct {
			Description string `json:"error-description"`
		} `json:"error"`
	} `json:"result"`
}

// MasterKey names a key of the keys manifest and how to use it.
type MasterKey struct {
	Type       string `json:"type"` // raw, aws-kms, aws-kms-mrk-aware, ...
	Key        string `json:"key"`
	ProviderID string `json:"provider-id"`
	Algorithm  string `json:"encryption-algorithm"` // aes, rsa
	Padding    string `json:"padding-algorithm"`    // pkcs1, oaep-mgf1
	Hash       string `json:"padding-hash"`         // sha1, sha256, sha384, sha512
}

// Key is an entry of a keys manifest.
type Key struct {
	Decrypt   bool   `json:"decrypt"`
	Algorithm string `json:"algorithm"`
	Type      string `json:"type"`
	Bits      int    `json:"bits"`
	Encoding  string `json:"encoding"`
	Material  string `json:"material"`
	KeyID     string `json:"key-id"`
}

// Load reads a decrypt manifest and the keys manifest it references.
func Load(path string) (*Manifest, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Manifest struct {
			Type    string `json:"type"`
			Version int    `json:"version"`
		} `json:"manifest"`
		Keys  string          `json:"keys"`
		Tests map[string]Test `json:"tests"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Manifest.Type != "awses-decrypt" || doc.Manifest.Version < 1 || doc.Manifest.Version > 2 {
		return nil, fmt.Errorf("%s: manifest %s version %d, want awses-decrypt version 1 or 2", path, doc.Manifest.Type, doc.Manifest.Version)
	}
	m := &Manifest{dir: filepath.Dir(path), Tests: doc.Tests}
	kraw, err := m.read(doc.Keys)
	if err != nil {
		return nil, fmt.Errorf("keys manifest: %w", err)
	}
	var keys struct {
		Manifest struct {
			Type    string `json:"type"`
			Version int    `json:"version"`
		} `json:"manifest"`
		Keys map[string]Key `json:"keys"`
	}
	if err := json.Unmarshal(kraw, &keys); err != nil {
		return nil, fmt.Errorf("keys manifest: %w", err)
	}
	if keys.Manifest.Type != "keys" || keys.Manifest.Version != 3 {
		return nil, fmt.Errorf("keys manifest %s version %d, want keys version 3", keys.Manifest.Type, keys.Manifest.Version)
	}
	m.keys = keys.Keys
	return m, nil
}

// read resolves a file:// reference relative to the manifest's folder.
func (m *Manifest) read(ref string) ([]byte, error) {
	p, ok := strings.CutPrefix(ref, "file://")
	if !ok {
		return nil, fmt.Errorf("unsupported reference %q (want file://)", ref)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(m.dir, filepath.FromSlash(p))
	}
	return os.ReadFile(p)
}

// ErrSkipped marks a test that cannot run offline (AWS KMS keys only).
var ErrSkipped = errors.New("skipped: needs AWS KMS")

// Names returns the test names in order.
func (m *Manifest) Names() []string {
	names := make([]string, 0, len(m.Tests))
	for n := range m.Tests {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Run runs one test: nil if it passed, ErrSkipped, or why it failed.
func (m *Manifest) Run(ctx context.Context, name string) error {
	t, ok := m.Tests[name]
	if !ok {
		return fmt.Errorf("no test %q", name)
	}
	var krs []envelope.Keyring
	for _, mk := range t.MasterKeys {
		if mk.Type != "raw" {
			continue
		}
		kr, err := m.keyring(mk)
		if err != nil {
			return err
		}
		krs = append(krs, kr)
	}
	if len(krs) == 0 {
		return ErrSkipped
	}
	kr := krs[0]
	if len(krs) > 1 {
		var err error
		if kr, err = envelope.NewMultiKeyring(nil, krs...); err != nil {
			return err
		}
	}
	c, err := envelope.NewClient(envelope.Config{Keyring: kr, CommitmentPolicy: envelope.RequireEncryptAllowDecrypt,
		Limits: envelope.Limits{MaxEncryptedDataKeys: -1, MaxFrameLength: -1}})
	if err != nil {
		return err
	}
	ct, err := m.read(t.Ciphertext)
	if err != nil {
		return fmt.Errorf("ciphertext: %w", err)
	}
	want := t.Plaintext
	wantErr := false
	if t.Result != nil {
		switch {
		case t.Result.Output != nil:
			want = t.Result.Output.Plaintext
		case t.Result.Error != nil:
			wantErr = true
		}
	}
	pt, _, err := c.Decrypt(ctx, ct, nil)
	if wantErr {
		if err == nil {
			return errors.New("decrypted a message that must fail")
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("decrypt: %w", err)
	}
	wantPT, err := m.read(want)
	if err != nil {
		return fmt.Errorf("plaintext: %w", err)
	}
	if !bytes.Equal(pt, wantPT) {
		return fmt.Errorf("plaintext differs (%d bytes, want %d)", len(pt), len(wantPT))
	}
	return nil
}

func (m *Manifest) keyring(mk MasterKey) (envelope.Keyring, error) {
	k, ok := m.keys[mk.Key]
	if !ok {
		return nil, fmt.Errorf("key %q not in the keys manifest", mk.Key)
	}
	name := k.KeyID
	if name == "" {
		name = mk.Key
	}
	switch mk.Algorithm {
	case "aes":
		if k.Encoding != "base64" {
			return nil, fmt.Errorf("key %q: encoding %q", mk.Key, k.Encoding)
		}
		material, err := base64.StdEncoding.DecodeString(k.Material)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", mk.Key, err)
		}
		return envelope.NewRawAESKeyring(mk.ProviderID, name, material)
	case "rsa":
		padding, err := rsaPadding(mk)
		if err != nil {
			return nil, err
		}
		block, _ := pem.Decode([]byte(k.Material))
		if block == nil {
			return nil, fmt.Errorf("key %q: no PEM block", mk.Key)
		}
		if k.Type == "public" {
			pub, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", mk.Key, err)
			}
			rpub, ok := pub.(*rsa.PublicKey)
			if !ok {
				return nil, fmt.Errorf("key %q: not RSA", mk.Key)
			}
			return envelope.NewRawRSAKeyring(mk.ProviderID, name, padding, rpub, nil)
		}
		priv, err := parseRSAPrivate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", mk.Key, err)
		}
		return envelope.NewRawRSAKeyring(mk.ProviderID, name, padding, nil, priv)
	}
	return nil, fmt.Errorf("master key %q: encryption algorithm %q", mk.Key, mk.Algorithm)
}

func parseRSAPrivate(der []byte) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA private key")
	}
	return rk, nil
}

func rsaPadding(mk MasterKey) (envelope.RSAPadding, error) {
	switch {
	case mk.Padding == "pkcs1":
		return envelope.PKCS1, nil
	case mk.Padding == "oaep-mgf1" && mk.Hash == "sha1":
		return envelope.OAEPSHA1, nil
	case mk.Padding == "oaep-mgf1" && mk.Hash == "sha256":
		return envelope.OAEPSHA256, nil
	case mk.Padding == "oaep-mgf1" && mk.Hash == "sha384":
		return envelope.OAEPSHA384, nil
	case mk.Padding == "oaep-mgf1" && mk.Hash == "sha512":
		return envelope.OAEPSHA512, nil
	}
	return 0, fmt.Errorf("master key %q: padding %q/%q", mk.Key, mk.Padding, mk.Hash)
}
