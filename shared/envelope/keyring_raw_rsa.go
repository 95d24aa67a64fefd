package envelope

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
)

// RSAPadding is the padding a raw RSA keyring wraps data keys with.
type RSAPadding int

// RSA paddings of the raw RSA keyring. OAEP uses MGF1 with the same hash as the label hash.
const (
	PKCS1      RSAPadding = iota + 1 // RSAES-PKCS1-v1_5 (legacy; decrypt-side hardened)
	OAEPSHA1                         // RSAES-OAEP with SHA-1
	OAEPSHA256                       // RSAES-OAEP with SHA-256
	OAEPSHA384                       // RSAES-OAEP with SHA-384
	OAEPSHA512                       // RSAES-OAEP with SHA-512
)

func (p RSAPadding) hash() hash.Hash {
	switch p {
	case OAEPSHA1:
		return sha1.New()
	case OAEPSHA256:
		return sha256.New()
	case OAEPSHA384:
		return sha512.New384()
	}
	return sha512.New()
}

// rawRSAKeyring wraps data keys with an RSA key pair the caller holds (framework/raw-rsa-keyring.md).
type rawRSAKeyring struct {
	namespace string
	name      string
	padding   RSAPadding
	pub       *rsa.PublicKey
	priv      *rsa.PrivateKey
}

// NewRawRSAKeyring returns a keyring that wraps data keys with RSA, byte-compatible with the raw
// RSA keyrings of the official SDKs: provider ID = namespace, provider info = name, ciphertext =
// the RSA encryption of the data key. pub may be nil if priv is set (it is derived); priv may be
// nil for an encrypt-only keyring.
//
// With PKCS1 padding, a ciphertext whose padding is wrong yields a random data key instead of an
// error, so a bad key fails exactly like a tampered message (ErrAuthentication): no padding oracle.
func NewRawRSAKeyring(namespace, name string, padding RSAPadding, pub *rsa.PublicKey, priv *rsa.PrivateKey) (Keyring, error) {
	if err := checkRawNames(namespace, name); err != nil {
		return nil, err
	}
	if padding < PKCS1 || padding > OAEPSHA512 {
		return nil, fmt.Errorf("envelope: unknown RSA padding %d", int(padding))
	}
	if pub == nil && priv != nil {
		pub = &priv.PublicKey
	}
	if pub == nil {
		return nil, errors.New("envelope: raw RSA keyring needs a public or a private key")
	}
	return &rawRSAKeyring{namespace: namespace, name: name, padding: padding, pub: pub, priv: priv}, nil
}

func (k *rawRSAKeyring) OnEncrypt(_ context.Context, m *EncryptionMaterials) error {
	if err := generateDataKey(m); err != nil {
		return err
	}
	var ct []byte
	var err error
	if k.padding == PKCS1 {
		ct, err = rsa.EncryptPKCS1v15(rand.Reader, k.pub, m.PlaintextDataKey)
	} else {
		ct, err = rsa.EncryptOAEP(k.padding.hash(), rand.Reader, k.pub, m.PlaintextDataKey, nil)
	}
	if err != nil {
		return fmt.Errorf("envelope: raw RSA keyring %s/%s: %w", k.namespace, k.name, err)
	}
	m.EncryptedDataKeys = append(m.EncryptedDataKeys, EncryptedDataKey{ProviderID: k.namespace, ProviderInfo: []byte(k.name), Ciphertext: ct})
	return nil
}

func (k *rawRSAKeyring) OnDecrypt(_ context.Context, m *DecryptionMaterials, edks []EncryptedDataKey) error {
	if m.PlaintextDataKey != nil {
		return errors.New("envelope: decryption materials already hold a data key")
	}
	if k.priv == nil {
		return fmt.Errorf("%w: raw RSA keyring %s/%s has no private key", ErrNoDataKey, k.namespace, k.name)
	}
	var errs []error
	for _, e := range edks {
		if e.ProviderID != k.namespace || string(e.ProviderInfo) != k.name {
			continue
		}
		if k.padding == PKCS1 {
			// Start from a random key: DecryptPKCS1v15SessionKey leaves it in place, in constant
			// time, when the padding or the length is wrong.
			key := make([]byte, m.Suite.KeyLength())
			if _, err := rand.Read(key); err != nil {
				return fmt.Errorf("envelope: raw RSA keyring: %w", err)
			}
			if err := rsa.DecryptPKCS1v15SessionKey(nil, k.priv, e.Ciphertext, key); err != nil {
				errs = append(errs, err)
				continue
			}
			m.PlaintextDataKey = key
			return nil
		}
		key, err := rsa.DecryptOAEP(k.padding.hash(), nil, k.priv, e.Ciphertext, nil)
		if err != nil || len(key) != m.Suite.KeyLength() {
			errs = append(errs, fmt.Errorf("raw RSA key %s/%s: cannot decrypt", k.namespace, k.name))
			continue
		}
		m.PlaintextDataKey = key
		return nil
	}
	return fmt.Errorf("%w: raw RSA keyring %s/%s: %w", ErrNoDataKey, k.namespace, k.name, errors.Join(errs...))
}
