package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"hash"
)

var (
	deriveKeyLabel = []byte("DERIVEKEY")
	commitKeyLabel = []byte("COMMITKEY")
)

func kdfHash(s *suite) func() hash.Hash {
	switch s.kdf.Size() {
	case 32:
		return sha256.New
	case 48:
		return sha512.New384
	default:
		return sha512.New
	}
}

// deriveKeys returns the message's encryption key and, for committing suites, its commitment key
// (framework/algorithm-suites.md, key derivation):
//   - identity KDF: the data key itself;
//   - HKDF (v1): HKDF(hash, salt = none, ikm = data key, info = suite id ‖ message id);
//   - HKDF-SHA512 with commitment (v2): PRK = HKDF-Extract(salt = message id, ikm = data key),
//     encryption key = HKDF-Expand(PRK, suite id ‖ "DERIVEKEY"), commit key = HKDF-Expand(PRK, "COMMITKEY").
//
// Every output is at most one hash block long, so each expand is a single HMAC.
func deriveKeys(s *suite, dataKey, messageID []byte) (encKey, commitKey []byte) {
	if s.kdf == 0 {
		return dataKey, nil
	}
	newHash := kdfHash(s)
	var salt []byte
	if s.commit {
		salt = messageID
	} else {
		salt = make([]byte, newHash().Size())
	}
	ext := hmac.New(newHash, salt)
	ext.Write(dataKey)
	var prkBuf [64]byte
	prk := ext.Sum(prkBuf[:0])
	exp := hmac.New(newHash, prk)
	var id [2]byte
	binary.BigEndian.PutUint16(id[:], uint16(s.id))
	exp.Write(id[:])
	if s.commit {
		exp.Write(deriveKeyLabel)
	} else {
		exp.Write(messageID)
	}
	exp.Write([]byte{1})
	out := exp.Sum(make([]byte, 0, 2*64))
	encKey = out[:s.keyLen:s.keyLen]
	if s.commit {
		exp.Reset()
		exp.Write(commitKeyLabel)
		exp.Write([]byte{1})
		c := exp.Sum(out[len(out):len(out)])
		commitKey = c[:commitKeyLen:commitKeyLen]
	}
	return encKey, commitKey
}

// verifyCommitment compares the derived and stored commitment keys in constant time.
func verifyCommitment(derived, stored []byte) bool {
	return len(derived) == commitKeyLen && subtle.ConstantTimeCompare(derived, stored) == 1
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
