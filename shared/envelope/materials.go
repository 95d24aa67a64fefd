package envelope

import (
	"context"
	"crypto/ecdsa"
	"fmt"
)

// EncryptionMaterials are what a message is encrypted with. A keyring's OnEncrypt sets
// PlaintextDataKey when it is nil (a generator) and appends its EncryptedDataKeys. Materials handed
// out by a caching materials manager are shared between messages and must not be modified.
type EncryptionMaterials struct {
	Suite             SuiteID
	EncryptionContext map[string]string // includes aws-crypto-public-key for signed suites
	PlaintextDataKey  []byte
	EncryptedDataKeys []EncryptedDataKey
	SigningKey        *ecdsa.PrivateKey // signed suites only

	contextBytes []byte // serialized EncryptionContext, set by the cache before it shares the materials
}

// DecryptionMaterials are what a message is decrypted with. A keyring's OnDecrypt sets
// PlaintextDataKey from the first encrypted data key it can decrypt.
type DecryptionMaterials struct {
	Suite             SuiteID
	EncryptionContext map[string]string
	PlaintextDataKey  []byte
	VerificationKey   *ecdsa.PublicKey // signed suites only
}

// Keyring generates, encrypts and decrypts data keys.
//
// OnEncrypt must generate a data key of m.Suite.KeyLength() bytes if m.PlaintextDataKey is nil, and
// append at least one encrypted copy of it to m.EncryptedDataKeys. OnDecrypt must leave m unchanged
// and return an error unless it decrypts one of edks into m.PlaintextDataKey; it must not overwrite a
// key that is already set.
type Keyring interface {
	OnEncrypt(ctx context.Context, m *EncryptionMaterials) error
	OnDecrypt(ctx context.Context, m *DecryptionMaterials, edks []EncryptedDataKey) error
}

// EncryptionMaterialsRequest asks a MaterialsManager for encryption materials.
type EncryptionMaterialsRequest struct {
	EncryptionContext map[string]string
	Suite             SuiteID // 0: the manager chooses (the default suite of the policy)
	PlaintextLength   int64   // -1 when unknown (streaming without a size)
	CommitmentPolicy  CommitmentPolicy
}

// DecryptMaterialsRequest asks a MaterialsManager for decryption materials.
type DecryptMaterialsRequest struct {
	Suite             SuiteID
	EncryptedDataKeys []EncryptedDataKey
	EncryptionContext map[string]string
	CommitmentPolicy  CommitmentPolicy
}

// MaterialsManager (a "cryptographic materials manager" in the specification) provides the
// materials for each message. NewKeyringMaterials wraps a Keyring; NewCachingMaterials caches
// another manager's results.
type MaterialsManager interface {
	GetEncryptionMaterials(ctx context.Context, req *EncryptionMaterialsRequest) (*EncryptionMaterials, error)
	DecryptMaterials(ctx context.Context, req *DecryptMaterialsRequest) (*DecryptionMaterials, error)
}

// keyringMaterials is the default materials manager of the specification.
type keyringMaterials struct{ kr Keyring }

// NewKeyringMaterials returns the default materials manager for kr: it adds a fresh signing key
// for signed suites (its public key goes into the encryption context), enforces the commitment
// policy, and checks the keyring's results.
func NewKeyringMaterials(kr Keyring) MaterialsManager { return &keyringMaterials{kr: kr} }

func (k *keyringMaterials) GetEncryptionMaterials(ctx context.Context, req *EncryptionMaterialsRequest) (*EncryptionMaterials, error) {
	id := req.Suite
	if id == 0 {
		id = req.CommitmentPolicy.defaultSuite()
	}
	s, err := lookupSuite(id)
	if err != nil {
		return nil, err
	}
	if err := req.CommitmentPolicy.allowsEncrypt(s); err != nil {
		return nil, err
	}
	if err := checkCallerContext(req.EncryptionContext); err != nil {
		return nil, err
	}
	ec := make(map[string]string, len(req.EncryptionContext)+1)
	for key, v := range req.EncryptionContext {
		ec[key] = v
	}
	m := &EncryptionMaterials{Suite: id, EncryptionContext: ec}
	if s.curve != nil {
		priv, pub, err := newSigningKey(s)
		if err != nil {
			return nil, err
		}
		m.SigningKey = priv
		ec[publicKeyContextKey] = pub
	}
	if err := k.kr.OnEncrypt(ctx, m); err != nil {
		return nil, err
	}
	if len(m.PlaintextDataKey) != s.keyLen {
		return nil, fmt.Errorf("envelope: keyring returned a %d-byte data key for suite %s", len(m.PlaintextDataKey), id)
	}
	if err := checkEDKs(m.EncryptedDataKeys); err != nil {
		return nil, err
	}
	return m, nil
}

func (k *keyringMaterials) DecryptMaterials(ctx context.Context, req *DecryptMaterialsRequest) (*DecryptionMaterials, error) {
	s, err := lookupSuite(req.Suite)
	if err != nil {
		return nil, err
	}
	if err := req.CommitmentPolicy.allowsDecrypt(s); err != nil {
		return nil, err
	}
	m := &DecryptionMaterials{Suite: req.Suite, EncryptionContext: req.EncryptionContext}
	pub, hasKey := req.EncryptionContext[publicKeyContextKey]
	switch {
	case s.curve != nil && !hasKey:
		return nil, malformed("signed suite %s without %s in the encryption context", req.Suite, publicKeyContextKey)
	case s.curve == nil && hasKey:
		return nil, malformed("unsigned suite %s with %s in the encryption context", req.Suite, publicKeyContextKey)
	case s.curve != nil:
		if m.VerificationKey, err = parsePublicKey(s, pub); err != nil {
			return nil, err
		}
	}
	if err := k.kr.OnDecrypt(ctx, m, req.EncryptedDataKeys); err != nil {
		return nil, err
	}
	if len(m.PlaintextDataKey) != s.keyLen {
		return nil, fmt.Errorf("%w: keyring returned a %d-byte data key", ErrNoDataKey, len(m.PlaintextDataKey))
	}
	return m, nil
}
