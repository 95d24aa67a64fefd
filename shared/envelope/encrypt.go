package envelope

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash"
	"math"
	"slices"
)

// zeroIV is the header authentication IV: all zeros (v2; keyward writes the same in v1 headers).
var zeroIV [ivLen]byte

// maxSignatureLen bounds a DER ECDSA signature on P-384 (2 × (48 + 3) + 3 bytes).
const maxSignatureLen = 2 + 105

// messageWriter holds what encrypting one message needs once its materials are known.
type messageWriter struct {
	s      *suite
	h      *header
	fc     *frameCipher
	signer *ecdsa.PrivateKey
	frame  int
}

// beginMessage gets materials and prepares the header and frame cipher of a new message.
func (c *Client) beginMessage(ctx context.Context, ec map[string]string, size int64) (*messageWriter, error) {
	m, err := c.cmm.GetEncryptionMaterials(ctx, &EncryptionMaterialsRequest{
		EncryptionContext: ec, Suite: c.suite, PlaintextLength: size, CommitmentPolicy: c.policy,
	})
	if err != nil {
		return nil, fmt.Errorf("envelope: get encryption materials: %w", err)
	}
	s, err := lookupSuite(m.Suite)
	if err != nil {
		return nil, err
	}
	if err := c.policy.allowsEncrypt(s); err != nil {
		return nil, err
	}
	if len(m.PlaintextDataKey) != s.keyLen {
		return nil, fmt.Errorf("envelope: materials hold a %d-byte data key for suite %s", len(m.PlaintextDataKey), s.id)
	}
	if err := checkEDKs(m.EncryptedDataKeys); err != nil {
		return nil, err
	}
	if max := c.limits.MaxEncryptedDataKeys; max > 0 && len(m.EncryptedDataKeys) > max {
		return nil, fmt.Errorf("%w: %d encrypted data keys, more than %d", ErrLimit, len(m.EncryptedDataKeys), max)
	}
	if (s.curve != nil) != (m.SigningKey != nil) {
		return nil, fmt.Errorf("envelope: materials signing key does not match suite %s", s.id)
	}
	ecBytes := m.contextBytes
	if ecBytes == nil {
		if ecBytes, err = serializeContext(m.EncryptionContext); err != nil {
			return nil, err
		}
	}
	h := &header{suite: s, contextBytes: ecBytes, edks: m.EncryptedDataKeys, contentType: contentFramed, frameLength: uint32(c.frameLength)}
	if c.nonFramed {
		h.contentType, h.frameLength = contentNonFramed, 0
	}
	h.messageID = make([]byte, s.messageIDLen(), s.messageIDLen()+ivLen)
	if _, err := rand.Read(h.messageID); err != nil {
		return nil, fmt.Errorf("envelope: message id: %w", err)
	}
	encKey, commitKey := deriveKeys(s, m.PlaintextDataKey, h.messageID)
	h.suiteData = commitKey
	aead, err := newGCM(encKey)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	return &messageWriter{s: s, h: h, fc: newFrameCipher(aead, h.messageID), signer: m.SigningKey, frame: c.frameLength}, nil
}

// appendHeader appends the header body and its authentication.
func (w *messageWriter) appendHeader(dst []byte) []byte {
	start := len(dst)
	dst = w.h.appendBody(dst)
	if w.s.version == 1 {
		dst = append(dst, zeroIV[:]...)
	}
	// The tag authenticates the header body (and, in v2, the serialization of an empty set of
	// encryption context entries that are not stored in the message).
	return w.fc.aead.Seal(dst, zeroIV[:], nil, dst[start:start+w.h.bodyLen()])
}

// bodySize is the serialized size of the body for n bytes of plaintext.
func (w *messageWriter) bodySize(n int) int {
	if w.h.contentType == contentNonFramed {
		return ivLen + 8 + n + tagLen
	}
	full := 0
	if n > 0 {
		full = (n - 1) / w.frame
	}
	return full*frameSize(w.frame, false) + frameSize(n-full*w.frame, true)
}

func (w *messageWriter) newSigHash() hash.Hash {
	if w.signer == nil {
		return nil
	}
	return w.s.sigHash.New()
}

// appendFooter signs the digest of everything written and appends the footer.
func (w *messageWriter) appendFooter(dst []byte, h hash.Hash) ([]byte, error) {
	sig, err := ecdsa.SignASN1(rand.Reader, w.signer, h.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("envelope: sign message: %w", err)
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(sig)))
	return append(dst, sig...), nil
}

// Encrypt encrypts plaintext under ec and returns the message. The encryption context is stored in
// the clear in the header and authenticated; keys starting with "aws-crypto-" are reserved.
func (c *Client) Encrypt(ctx context.Context, plaintext []byte, ec map[string]string) ([]byte, error) {
	return c.EncryptAppend(ctx, nil, plaintext, ec)
}

// EncryptAppend is Encrypt that appends the message to dst and returns the extended slice, like
// cipher.AEAD's Seal: a caller that reuses dst encrypts without allocating (and page-faulting in)
// a new buffer for every message. dst and plaintext must not overlap.
func (c *Client) EncryptAppend(ctx context.Context, dst, plaintext []byte, ec map[string]string) ([]byte, error) {
	w, err := c.beginMessage(ctx, ec, int64(len(plaintext)))
	if err != nil {
		return nil, err
	}
	if w.h.contentType == contentFramed && int64(len(plaintext))/int64(w.frame) >= math.MaxUint32-1 {
		return nil, fmt.Errorf("%w: plaintext needs more than 2^32-1 frames", ErrLimit)
	}
	size := w.h.bodyLen() + w.h.authLen() + w.bodySize(len(plaintext))
	if w.signer != nil {
		size += maxSignatureLen
	}
	out := w.appendHeader(slices.Grow(dst, size))
	start := len(dst)
	if w.h.contentType == contentNonFramed {
		out = w.fc.appendSingleBlock(out, plaintext)
	} else {
		seq := uint32(1)
		for len(plaintext) > w.frame {
			out = w.fc.appendFrame(out, seq, plaintext[:w.frame], false)
			plaintext = plaintext[w.frame:]
			seq++
		}
		out = w.fc.appendFrame(out, seq, plaintext, true)
	}
	if h := w.newSigHash(); h != nil {
		h.Write(out[start:])
		return w.appendFooter(out, h)
	}
	return out, nil
}
