package kms

import (
	"crypto/rand"

	"github.com/keyward/keyward/localstack/awsapi"
)

const maxPlaintext = 4096

type encryptInput struct {
	KeyID               string `json:"KeyId"`
	Plaintext           []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	EncryptionAlgorithm string
	DryRun              bool
}

func checkAlgorithm(field, alg string) error {
	switch alg {
	case "", algSymmetric:
		return nil
	case "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE":
		return kmsErr("InvalidKeyUsageException", "The encryption algorithm %s is not compatible with the type of the KMS key.", alg)
	default:
		return validation(field, alg, "Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]")
	}
}

// encryptWith seals plaintext under a key's current material. Callers hold s.mu.
func (s *Service) encryptWith(k *key, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	if err := usable(k); err != nil {
		return nil, err
	}
	m := k.current()
	return seal(k.KeyID, m.Version, m.Key, plaintext, encCtx)
}

func (s *Service) encrypt(call *awsapi.Call) (any, error) {
	var in encryptInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if in.Plaintext == nil {
		return nil, required("plaintext")
	}
	if len(in.Plaintext) == 0 {
		return nil, lengthAtLeast("plaintext", 1)
	}
	if len(in.Plaintext) > maxPlaintext {
		return nil, lengthAtMost("plaintext", maxPlaintext)
	}
	if err := checkAlgorithm("encryptionAlgorithm", in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.lookup(call.Region, in.KeyID, resolveOpts{aliases: true})
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		if err := usable(k); err != nil {
			return nil, err
		}
		return nil, errDryRun()
	}
	blob, err := s.encryptWith(k, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CiphertextBlob": blob, "KeyId": k.ARN, "EncryptionAlgorithm": algSymmetric}, nil
}

type decryptInput struct {
	CiphertextBlob      []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	KeyID               string `json:"KeyId"`
	EncryptionAlgorithm string
	Recipient           map[string]any
	DryRun              bool
}

// decryptWith opens a blob, checking that it belongs to a usable key (and to
// wantKey when the caller named one). Callers hold s.mu.
func (s *Service) decryptWith(region string, blob []byte, encCtx map[string]string, wantKey string) (*key, []byte, material, error) {
	if len(blob) == 0 {
		return nil, nil, material{}, required("ciphertextBlob")
	}
	h, err := parseBlobHeader(blob)
	if err != nil {
		return nil, nil, material{}, errInvalidCiphertextAPI()
	}
	if wantKey != "" {
		want, err := s.lookup(region, wantKey, resolveOpts{aliases: true})
		if err != nil {
			return nil, nil, material{}, err
		}
		if want.KeyID != h.KeyID {
			return nil, nil, material{}, kmsErr("IncorrectKeyException",
				"The key ID in the request does not identify a KMS key that can perform this operation.")
		}
	}
	k, ok := s.keys[h.KeyID]
	if !ok || s.expire(k) {
		// The blob names a key this account does not have: AWS cannot tell it from garbage.
		return nil, nil, material{}, errInvalidCiphertextAPI()
	}
	if err := usable(k); err != nil {
		return nil, nil, material{}, err
	}
	m, ok := k.material(h.Version)
	if !ok {
		return nil, nil, material{}, errInvalidCiphertextAPI()
	}
	pt, err := open(blob, m.Key, encCtx)
	if err != nil {
		return nil, nil, material{}, errInvalidCiphertextAPI()
	}
	return k, pt, m, nil
}

func (s *Service) decrypt(call *awsapi.Call) (any, error) {
	var in decryptInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if err := checkAlgorithm("encryptionAlgorithm", in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, kmsErr("UnsupportedOperationException", "Recipient (Nitro Enclaves attestation) is not supported by the local endpoint")
	}
	if len(in.CiphertextBlob) > maxCipherBlob {
		return nil, lengthAtMost("ciphertextBlob", maxCipherBlob)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, pt, m, err := s.decryptWith(call.Region, in.CiphertextBlob, in.EncryptionContext, in.KeyID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	return map[string]any{"KeyId": k.ARN, "Plaintext": pt, "EncryptionAlgorithm": algSymmetric, "KeyMaterialId": m.ID}, nil
}

type reEncryptInput struct {
	CiphertextBlob                 []byte
	SourceEncryptionContext        map[string]string
	SourceKeyID                    string `json:"SourceKeyId"`
	DestinationKeyID               string `json:"DestinationKeyId"`
	DestinationEncryptionContext   map[string]string
	SourceEncryptionAlgorithm      string
	DestinationEncryptionAlgorithm string
	GrantTokens                    []string
	DryRun                         bool
}

func (s *Service) reEncrypt(call *awsapi.Call) (any, error) {
	var in reEncryptInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if in.DestinationKeyID == "" {
		return nil, required("destinationKeyId")
	}
	if err := checkAlgorithm("sourceEncryptionAlgorithm", in.SourceEncryptionAlgorithm); err != nil {
		return nil, err
	}
	if err := checkAlgorithm("destinationEncryptionAlgorithm", in.DestinationEncryptionAlgorithm); err != nil {
		return nil, err
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if len(in.CiphertextBlob) > maxCipherBlob {
		return nil, lengthAtMost("ciphertextBlob", maxCipherBlob)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, pt, _, err := s.decryptWith(call.Region, in.CiphertextBlob, in.SourceEncryptionContext, in.SourceKeyID)
	if err != nil {
		return nil, err
	}
	dst, err := s.lookup(call.Region, in.DestinationKeyID, resolveOpts{aliases: true})
	if err != nil {
		return nil, err
	}
	if err := usable(dst); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	blob, err := s.encryptWith(dst, pt, in.DestinationEncryptionContext)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CiphertextBlob": blob, "SourceKeyId": src.ARN, "KeyId": dst.ARN,
		"SourceEncryptionAlgorithm": algSymmetric, "DestinationEncryptionAlgorithm": algSymmetric}, nil
}

type dataKeyInput struct {
	KeyID             string `json:"KeyId"`
	EncryptionContext map[string]string
	NumberOfBytes     *int
	KeySpec           string
	GrantTokens       []string
	Recipient         map[string]any
	DryRun            bool
}

func (s *Service) dataKey(call *awsapi.Call, withPlaintext bool) (any, error) {
	var in dataKeyInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	n := 0
	switch {
	case in.NumberOfBytes != nil && in.KeySpec != "":
		return nil, awsapi.Validation("Please specify either number of bytes or key spec.")
	case in.NumberOfBytes != nil:
		n = *in.NumberOfBytes
		if n < 1 || n > 1024 {
			return nil, rangeErr("numberOfBytes", n, 1, 1024)
		}
	case in.KeySpec == "AES_256":
		n = 32
	case in.KeySpec == "AES_128":
		n = 16
	case in.KeySpec == "":
		return nil, awsapi.Validation("Please specify either number of bytes or key spec.")
	default:
		return nil, validation("keySpec", in.KeySpec, "Member must satisfy enum value set: [AES_256, AES_128]")
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, kmsErr("UnsupportedOperationException", "Recipient (Nitro Enclaves attestation) is not supported by the local endpoint")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.lookup(call.Region, in.KeyID, resolveOpts{aliases: true})
	if err != nil {
		return nil, err
	}
	if err := usable(k); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	pt := make([]byte, n)
	if _, err := rand.Read(pt); err != nil {
		return nil, err
	}
	blob, err := s.encryptWith(k, pt, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"CiphertextBlob": blob, "KeyId": k.ARN, "KeyMaterialId": k.current().ID}
	if withPlaintext {
		out["Plaintext"] = pt
	}
	return out, nil
}

func (s *Service) generateDataKey(call *awsapi.Call) (any, error) { return s.dataKey(call, true) }

func (s *Service) generateDataKeyWithoutPlaintext(call *awsapi.Call) (any, error) {
	return s.dataKey(call, false)
}

func (s *Service) generateRandom(call *awsapi.Call) (any, error) {
	var in struct {
		NumberOfBytes    *int
		CustomKeyStoreID string `json:"CustomKeyStoreId"`
		Recipient        map[string]any
	}
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if in.NumberOfBytes == nil {
		return nil, required("numberOfBytes")
	}
	if n := *in.NumberOfBytes; n < 1 || n > 1024 {
		return nil, rangeErr("numberOfBytes", n, 1, 1024)
	}
	if in.CustomKeyStoreID != "" {
		return nil, kmsErr("CustomKeyStoreNotFoundException", "Custom key store %s does not exist", in.CustomKeyStoreID)
	}
	b := make([]byte, *in.NumberOfBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return map[string]any{"Plaintext": b}, nil
}
