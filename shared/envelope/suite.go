package envelope

import (
	"crypto"
	"crypto/elliptic"
	"fmt"
)

// SuiteID is the two-byte identifier of an algorithm suite, as written in the message header.
type SuiteID uint16

// The eleven algorithm suites of the AWS Encryption SDK. Every suite uses AES-GCM with a 12-byte IV
// and a 16-byte tag; they differ in key length, key derivation, key commitment and signature.
const (
	AES128GCMNoKDF                     SuiteID = 0x0014
	AES192GCMNoKDF                     SuiteID = 0x0046
	AES256GCMNoKDF                     SuiteID = 0x0078
	AES128GCMHKDFSHA256                SuiteID = 0x0114
	AES192GCMHKDFSHA256                SuiteID = 0x0146
	AES256GCMHKDFSHA256                SuiteID = 0x0178
	AES128GCMHKDFSHA256ECDSAP256       SuiteID = 0x0214
	AES192GCMHKDFSHA384ECDSAP384       SuiteID = 0x0346
	AES256GCMHKDFSHA384ECDSAP384       SuiteID = 0x0378
	AES256GCMHKDFSHA512Commit          SuiteID = 0x0478
	AES256GCMHKDFSHA512CommitECDSAP384 SuiteID = 0x0578
	DefaultSuite                               = AES256GCMHKDFSHA512Commit
	ivLen                                      = 12
	tagLen                                     = 16
	commitKeyLen                               = 32
	publicKeyContextKey                        = "aws-crypto-public-key"
	reservedContextPrefix                      = "aws-crypto-"
)

// suite holds the parameters of one algorithm suite.
type suite struct {
	id      SuiteID
	keyLen  int         // data key and encryption key length in bytes
	kdf     crypto.Hash // 0 for the identity KDF
	curve   elliptic.Curve
	sigHash crypto.Hash
	version byte // message format version
	commit  bool
}

var suites = map[SuiteID]*suite{
	AES128GCMNoKDF:                     {id: AES128GCMNoKDF, keyLen: 16, version: 1},
	AES192GCMNoKDF:                     {id: AES192GCMNoKDF, keyLen: 24, version: 1},
	AES256GCMNoKDF:                     {id: AES256GCMNoKDF, keyLen: 32, version: 1},
	AES128GCMHKDFSHA256:                {id: AES128GCMHKDFSHA256, keyLen: 16, kdf: crypto.SHA256, version: 1},
	AES192GCMHKDFSHA256:                {id: AES192GCMHKDFSHA256, keyLen: 24, kdf: crypto.SHA256, version: 1},
	AES256GCMHKDFSHA256:                {id: AES256GCMHKDFSHA256, keyLen: 32, kdf: crypto.SHA256, version: 1},
	AES128GCMHKDFSHA256ECDSAP256:       {id: AES128GCMHKDFSHA256ECDSAP256, keyLen: 16, kdf: crypto.SHA256, curve: elliptic.P256(), sigHash: crypto.SHA256, version: 1},
	AES192GCMHKDFSHA384ECDSAP384:       {id: AES192GCMHKDFSHA384ECDSAP384, keyLen: 24, kdf: crypto.SHA384, curve: elliptic.P384(), sigHash: crypto.SHA384, version: 1},
	AES256GCMHKDFSHA384ECDSAP384:       {id: AES256GCMHKDFSHA384ECDSAP384, keyLen: 32, kdf: crypto.SHA384, curve: elliptic.P384(), sigHash: crypto.SHA384, version: 1},
	AES256GCMHKDFSHA512Commit:          {id: AES256GCMHKDFSHA512Commit, keyLen: 32, kdf: crypto.SHA512, version: 2, commit: true},
	AES256GCMHKDFSHA512CommitECDSAP384: {id: AES256GCMHKDFSHA512CommitECDSAP384, keyLen: 32, kdf: crypto.SHA512, curve: elliptic.P384(), sigHash: crypto.SHA384, version: 2, commit: true},
}

// Suites lists every supported suite, in ascending order of id.
func Suites() []SuiteID {
	return []SuiteID{
		AES128GCMNoKDF, AES192GCMNoKDF, AES256GCMNoKDF,
		AES128GCMHKDFSHA256, AES192GCMHKDFSHA256, AES256GCMHKDFSHA256,
		AES128GCMHKDFSHA256ECDSAP256, AES192GCMHKDFSHA384ECDSAP384, AES256GCMHKDFSHA384ECDSAP384,
		AES256GCMHKDFSHA512Commit, AES256GCMHKDFSHA512CommitECDSAP384,
	}
}

func lookupSuite(id SuiteID) (*suite, error) {
	s, ok := suites[id]
	if !ok {
		return nil, fmt.Errorf("%w: unknown algorithm suite 0x%04x", ErrMalformed, uint16(id))
	}
	return s, nil
}

// KeyLength is the length in bytes of the data key the suite needs (16, 24 or 32).
func (id SuiteID) KeyLength() int {
	if s, ok := suites[id]; ok {
		return s.keyLen
	}
	return 0
}

// Signed reports whether messages of the suite end with an ECDSA signature.
func (id SuiteID) Signed() bool {
	s, ok := suites[id]
	return ok && s.curve != nil
}

// Committing reports whether the suite commits the message to its data key.
func (id SuiteID) Committing() bool {
	s, ok := suites[id]
	return ok && s.commit
}

// IdentityKDF reports whether the suite uses the data key directly as the encryption key.
func (id SuiteID) IdentityKDF() bool {
	s, ok := suites[id]
	return ok && s.kdf == 0
}

// String formats the id as the specification does, e.g. 0x0478.
func (id SuiteID) String() string { return fmt.Sprintf("0x%04X", uint16(id)) }

func (s *suite) messageIDLen() int {
	if s.version == 2 {
		return 32
	}
	return 16
}
