package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding"
	"encoding/binary"
	"hash"
	"sync"
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
	if s.commit {
		return deriveCommitKeys(s.id, dataKey, messageID)
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

// hkdf512 computes the committing suites' HKDF-SHA512 with one reused SHA-512 state: ten
// compression blocks and no allocation but the two keys. Messages encrypted under cached
// materials pay this on every message, so it is worth the hand-rolled HMAC.
type hkdf512 struct {
	h          hash.Hash
	pad        [sha512.BlockSize]byte
	prk, inner [sha512.Size]byte
	info       [2 + 9 + 1]byte
	ipad, opad []byte // marshaled SHA-512 states after the PRK's ipad and opad blocks
}

var hkdfPool = sync.Pool{New: func() any {
	return &hkdf512{h: sha512.New(), ipad: make([]byte, 0, 256), opad: make([]byte, 0, 256)}
}}

// start resets the hash and absorbs key ⊕ pad (key is at most one block).
func (k *hkdf512) start(key []byte, pad byte) {
	for i := range k.pad {
		k.pad[i] = pad
	}
	for i, b := range key {
		k.pad[i] ^= b
	}
	k.h.Reset()
	k.h.Write(k.pad[:])
}

func (k *hkdf512) save(dst []byte) []byte {
	b, err := k.h.(encoding.BinaryAppender).AppendBinary(dst[:0])
	if err != nil {
		panic("envelope: sha512 state: " + err.Error())
	}
	return b
}

func (k *hkdf512) restore(state []byte) {
	if err := k.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		panic("envelope: sha512 state: " + err.Error())
	}
}

func deriveCommitKeys(id SuiteID, dataKey, messageID []byte) (encKey, commitKey []byte) {
	k := hkdfPool.Get().(*hkdf512)
	defer hkdfPool.Put(k)
	// Extract: PRK = HMAC(key = message id, data key).
	k.start(messageID, 0x36)
	k.h.Write(dataKey)
	k.h.Sum(k.inner[:0])
	k.start(messageID, 0x5c)
	k.h.Write(k.inner[:])
	k.h.Sum(k.prk[:0])
	// Expand, one block each: T(1) = HMAC(PRK, info ‖ 0x01).
	out := make([]byte, 2*sha512.Size)
	k.start(k.prk[:], 0x36)
	k.ipad = k.save(k.ipad)
	info := k.info[:]
	binary.BigEndian.PutUint16(info, uint16(id))
	copy(info[2:], deriveKeyLabel)
	info[11] = 1
	k.h.Write(info)
	k.h.Sum(k.inner[:0])
	k.start(k.prk[:], 0x5c)
	k.opad = k.save(k.opad)
	k.h.Write(k.inner[:])
	k.h.Sum(out[:0])

	k.restore(k.ipad)
	copy(info[:9], commitKeyLabel)
	info[9] = 1
	k.h.Write(info[:10])
	k.h.Sum(k.inner[:0])
	k.restore(k.opad)
	k.h.Write(k.inner[:])
	k.h.Sum(out[sha512.Size:sha512.Size])
	clear(k.prk[:])
	clear(k.inner[:])
	return out[:32:32], out[sha512.Size : sha512.Size+commitKeyLen : sha512.Size+commitKeyLen]
}
