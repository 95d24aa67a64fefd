package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// Ciphertext blob layout (all of it authenticated):
//
//	0      format version (1)
//	1..16  key id (the UUID's 16 bytes)
//	17..20 key material version, big endian
//	21..32 GCM nonce
//	33..   AES-256-GCM ciphertext and 16-byte tag
//
// The additional data is the 21-byte header followed by the canonical encryption
// context, so a changed key id, version or context fails authentication.
const (
	blobFormat    = 1
	headerLen     = 21
	nonceLen      = 12
	tagLen        = 16
	minBlobLen    = headerLen + nonceLen + tagLen
	maxCipherBlob = 6144
)

// errInvalidCiphertext is the one opaque error every failed open returns.
var errInvalidCiphertext = errors.New("kms: invalid ciphertext")

type blobHeader struct {
	KeyID   string
	Version uint32
}

func uuidBytes(id string) ([16]byte, bool) {
	var out [16]byte
	h := strings.ReplaceAll(id, "-", "")
	if len(h) != 32 || len(id) != 36 {
		return out, false
	}
	if _, err := hex.Decode(out[:], []byte(h)); err != nil {
		return out, false
	}
	return out, true
}

func uuidString(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// parseBlobHeader reads the key id and material version without decrypting.
func parseBlobHeader(blob []byte) (blobHeader, error) {
	if len(blob) < minBlobLen || blob[0] != blobFormat {
		return blobHeader{}, errInvalidCiphertext
	}
	return blobHeader{KeyID: uuidString(blob[1:17]), Version: binary.BigEndian.Uint32(blob[17:21])}, nil
}

// seal encrypts plaintext under material version v of key keyID.
func seal(keyID string, v uint32, material, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	id, ok := uuidBytes(keyID)
	if !ok {
		return nil, errors.New("kms: key id is not a UUID")
	}
	aead, err := newGCM(material)
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerLen+nonceLen, headerLen+nonceLen+len(plaintext)+tagLen)
	out[0] = blobFormat
	copy(out[1:17], id[:])
	binary.BigEndian.PutUint32(out[17:21], v)
	if _, err := rand.Read(out[headerLen:]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[headerLen:headerLen+nonceLen], plaintext, aad(out[:headerLen], encCtx)), nil
}

// open decrypts a blob with the material its header names.
func open(blob, material []byte, encCtx map[string]string) ([]byte, error) {
	if len(blob) < minBlobLen {
		return nil, errInvalidCiphertext
	}
	aead, err := newGCM(material)
	if err != nil {
		return nil, errInvalidCiphertext
	}
	pt, err := aead.Open(nil, blob[headerLen:headerLen+nonceLen], blob[headerLen+nonceLen:], aad(blob[:headerLen], encCtx))
	if err != nil {
		return nil, errInvalidCiphertext
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// aad is the header followed by the encryption context in a canonical form:
// pairs sorted by key, each length-prefixed, so {"a":"bc"} and {"ab":"c"} differ.
func aad(header []byte, encCtx map[string]string) []byte {
	keys := make([]string, 0, len(encCtx))
	for k := range encCtx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := append([]byte(nil), header...)
	for _, k := range keys {
		out = binary.AppendUvarint(out, uint64(len(k)))
		out = append(out, k...)
		out = binary.AppendUvarint(out, uint64(len(encCtx[k])))
		out = append(out, encCtx[k]...)
	}
	return out
}
