package envelope

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// rawAESKeyring wraps data keys with AES-GCM under a wrapping key the caller holds
// (framework/raw-aes-keyring.md).
type rawAESKeyring struct {
	namespace string
	name      string
	aead      cipher.AEAD
}

// NewRawAESKeyring returns a keyring that wraps data keys with AES-GCM under key (16, 24 or 32
// bytes), byte-compatible with the raw AES keyrings of the official SDKs: provider ID = namespace,
// provider info = name ‖ tag length in bits (128) ‖ IV length (12) ‖ IV, and the serialized
// encryption context as AAD.
//
// The AAD uses the specification's binary UTF-8 key order. The JavaScript SDK sorts with
// localeCompare instead (aws-encryption-sdk-javascript#428), so its raw AES messages whose context
// keys mix case or use non-ASCII characters cannot be decrypted here (nor by other SDKs).
func NewRawAESKeyring(namespace, name string, key []byte) (Keyring, error) {
	if err := checkRawNames(namespace, name); err != nil {
		return nil, err
	}
	switch len(key) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("envelope: raw AES wrapping key of %d bytes, want 16, 24 or 32", len(key))
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, fmt.Errorf("envelope: raw AES keyring: %w", err)
	}
	return &rawAESKeyring{namespace: namespace, name: name, aead: aead}, nil
}

func checkRawNames(namespace, name string) error {
	if namespace == "" || name == "" {
		return errors.New("envelope: raw keyring needs a namespace and a key name")
	}
	if strings.HasPrefix(namespace, "aws-kms") {
		return fmt.Errorf("envelope: raw keyring namespace %q is reserved", namespace)
	}
	if len(namespace) > 0xFFFF || len(name) > 0xFFFF-20 {
		return errors.New("envelope: raw keyring namespace or name too long")
	}
	return nil
}

// generateDataKey sets a random data key on m when it has none.
func generateDataKey(m *EncryptionMaterials) error {
	if m.PlaintextDataKey != nil {
		return nil
	}
	k := make([]byte, m.Suite.KeyLength())
	if len(k) == 0 {
		return fmt.Errorf("envelope: unknown suite %s", m.Suite)
	}
	if _, err := rand.Read(k); err != nil {
		return fmt.Errorf("envelope: generate data key: %w", err)
	}
	m.PlaintextDataKey = k
	return nil
}

func (k *rawAESKeyring) OnEncrypt(_ context.Context, m *EncryptionMaterials) error {
	if err := generateDataKey(m); err != nil {
		return err
	}
	aad, err := serializeContext(m.EncryptionContext)
	if err != nil {
		return err
	}
	info := make([]byte, 0, len(k.name)+8+ivLen)
	info = append(info, k.name...)
	info = binary.BigEndian.AppendUint32(info, tagLen*8)
	info = binary.BigEndian.AppendUint32(info, ivLen)
	iv := info[len(info) : len(info)+ivLen]
	if _, err := rand.Read(iv); err != nil {
		return fmt.Errorf("envelope: raw AES keyring IV: %w", err)
	}
	info = info[:len(info)+ivLen]
	m.EncryptedDataKeys = append(m.EncryptedDataKeys, EncryptedDataKey{
		ProviderID:   k.namespace,
		ProviderInfo: info,
		Ciphertext:   k.aead.Seal(nil, iv, m.PlaintextDataKey, aad),
	})
	return nil
}

func (k *rawAESKeyring) OnDecrypt(_ context.Context, m *DecryptionMaterials, edks []EncryptedDataKey) error {
	if m.PlaintextDataKey != nil {
		return errors.New("envelope: decryption materials already hold a data key")
	}
	aad, err := serializeContext(m.EncryptionContext)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range edks {
		if e.ProviderID != k.namespace || len(e.ProviderInfo) != len(k.name)+8+ivLen || string(e.ProviderInfo[:len(k.name)]) != k.name {
			continue
		}
		p := e.ProviderInfo[len(k.name):]
		if binary.BigEndian.Uint32(p) != tagLen*8 || binary.BigEndian.Uint32(p[4:]) != ivLen {
			continue
		}
		key, err := k.aead.Open(nil, p[8:], e.Ciphertext, aad)
		if err != nil {
			errs = append(errs, fmt.Errorf("raw AES key %s/%s: %w", k.namespace, k.name, err))
			continue
		}
		if len(key) != m.Suite.KeyLength() {
			errs = append(errs, fmt.Errorf("raw AES key %s/%s: data key of %d bytes", k.namespace, k.name, len(key)))
			continue
		}
		m.PlaintextDataKey = key
		return nil
	}
	return fmt.Errorf("%w: raw AES keyring %s/%s: %w", ErrNoDataKey, k.namespace, k.name, errors.Join(errs...))
}
