package envelope

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"hash"
	"slices"
)

// maxNonFramedLength is the largest non-framed content the format allows (2^36 - 32 bytes).
const maxNonFramedLength = 1<<36 - 32

// messageReader holds the state of decrypting one message: the authenticated header, the frame
// cipher, the running signature digest and the next expected sequence number.
type messageReader struct {
	h        *header
	s        *suite
	fc       *frameCipher
	verifier *ecdsa.PublicKey
	digest   hash.Hash
	seq      uint32
	final    bool
	iv       [ivLen]byte
}

// beginDecrypt reads and authenticates the header: it gets the data key, checks the key commitment
// and the header authentication tag before any content is read.
func (c *Client) beginDecrypt(ctx context.Context, src source, required map[string]string) (*messageReader, error) {
	h, err := readHeader(src, &c.limits)
	if err != nil {
		return nil, err
	}
	s := h.suite
	if err := c.policy.allowsDecrypt(s); err != nil {
		return nil, err
	}
	if err := checkRequired(h.context, required); err != nil {
		return nil, err
	}
	dm, err := c.cmm.DecryptMaterials(ctx, &DecryptMaterialsRequest{
		Suite: s.id, EncryptedDataKeys: h.edks, EncryptionContext: h.context, CommitmentPolicy: c.policy,
	})
	if err != nil {
		return nil, fmt.Errorf("envelope: decrypt materials: %w", err)
	}
	if dm.Suite != s.id || len(dm.PlaintextDataKey) != s.keyLen {
		return nil, fmt.Errorf("%w: materials do not match suite %s", ErrNoDataKey, s.id)
	}
	if (s.curve != nil) != (dm.VerificationKey != nil) {
		return nil, fmt.Errorf("envelope: materials verification key does not match suite %s", s.id)
	}
	encKey, commitKey := deriveKeys(s, dm.PlaintextDataKey, h.messageID)
	if s.commit && !verifyCommitment(commitKey, h.suiteData) {
		return nil, ErrAuthentication
	}
	aead, err := newGCM(encKey)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	body := h.appendBody(make([]byte, 0, h.bodyLen()))
	iv := h.authIV
	if s.version == 2 {
		iv = zeroIV[:]
	}
	if _, err := aead.Open(nil, iv, h.authTag, body); err != nil {
		return nil, ErrAuthentication
	}
	r := &messageReader{h: h, s: s, fc: newFrameCipher(aead, h.messageID), verifier: dm.VerificationKey}
	if s.curve != nil {
		r.digest = s.sigHash.New()
		r.digest.Write(body)
		if s.version == 1 {
			r.digest.Write(h.authIV)
		}
		r.digest.Write(h.authTag)
	}
	return r, nil
}

func (r *messageReader) sum(p []byte) {
	if r.digest != nil {
		r.digest.Write(p)
	}
}

// next reads from src, adding what it reads to the signature digest.
func (r *messageReader) next(src source, n int) ([]byte, error) {
	p, err := src.next(n)
	if err == nil {
		r.sum(p)
	}
	return p, err
}

// readFrame decrypts the next frame (or the non-framed content) and appends its plaintext to dst.
// maxContent bounds the non-framed content length a reader must hold at once.
func (r *messageReader) readFrame(src source, dst []byte, maxContent int64) ([]byte, error) {
	if r.final {
		return dst, fmt.Errorf("envelope: read after final frame")
	}
	be := binary.BigEndian
	if r.h.contentType == contentNonFramed {
		p, err := r.next(src, ivLen)
		if err != nil {
			return dst, err
		}
		copy(r.iv[:], p)
		if p, err = r.next(src, 8); err != nil {
			return dst, err
		}
		n := be.Uint64(p)
		if n > maxNonFramedLength {
			return dst, malformed("non-framed content length %d", n)
		}
		if int64(n) > maxContent {
			return dst, fmt.Errorf("%w: non-framed content of %d bytes, more than %d", ErrLimit, n, maxContent)
		}
		ct, err := r.next(src, int(n)+tagLen)
		if err != nil {
			return dst, err
		}
		r.final = true
		out, err := r.fc.aead.Open(dst, r.iv[:], ct, r.fc.bodyAAD(aadSingleBlock, 1, n))
		if err != nil {
			return dst, ErrAuthentication
		}
		return out, nil
	}
	p, err := r.next(src, 4)
	if err != nil {
		return dst, err
	}
	seq := be.Uint32(p)
	final := seq == finalFrameMark
	if final {
		if p, err = r.next(src, 4); err != nil {
			return dst, err
		}
		seq = be.Uint32(p)
	}
	if seq != r.seq+1 {
		return dst, malformed("frame %d where %d was expected", seq, r.seq+1)
	}
	if p, err = r.next(src, ivLen); err != nil {
		return dst, err
	}
	copy(r.iv[:], p)
	n := r.h.frameLength
	kind := aadFrame
	if final {
		kind = aadFinalFrame
		if p, err = r.next(src, 4); err != nil {
			return dst, err
		}
		if n = be.Uint32(p); n > r.h.frameLength {
			return dst, malformed("final frame of %d bytes, more than the frame length %d", n, r.h.frameLength)
		}
	} else if seq == finalFrameMark-1 {
		return dst, malformed("too many frames")
	}
	ct, err := r.next(src, int(n)+tagLen)
	if err != nil {
		return dst, err
	}
	r.seq = seq
	r.final = final
	out, err := r.fc.aead.Open(dst, r.iv[:], ct, r.fc.bodyAAD(kind, seq, uint64(n)))
	if err != nil {
		return dst, ErrAuthentication
	}
	return out, nil
}

// readFooter verifies the signature of a signed message; unsigned messages have no footer.
func (r *messageReader) readFooter(src source) error {
	if r.verifier == nil {
		return nil
	}
	p, err := src.next(2)
	if err != nil {
		return err
	}
	sig, err := src.next(int(binary.BigEndian.Uint16(p)))
	if err != nil {
		return err
	}
	if !ecdsa.VerifyASN1(r.verifier, r.digest.Sum(nil), sig) {
		return ErrAuthentication
	}
	return nil
}

// Decrypt decrypts a whole message and returns its plaintext and encryption context. Every entry
// of required must be in the message's encryption context with the same value (pass nil to require
// nothing). No plaintext is returned unless the message authenticates completely.
func (c *Client) Decrypt(ctx context.Context, message []byte, required map[string]string) ([]byte, map[string]string, error) {
	return c.DecryptAppend(ctx, nil, message, required)
}

// DecryptAppend is Decrypt that appends the plaintext to dst and returns the extended slice (dst
// and message must not overlap). On
// failure it returns dst unextended (bytes beyond its length may have been written).
func (c *Client) DecryptAppend(ctx context.Context, dst, message []byte, required map[string]string) ([]byte, map[string]string, error) {
	src := &byteSource{b: message}
	r, err := c.beginDecrypt(ctx, src, required)
	if err != nil {
		return nil, nil, err
	}
	out := slices.Grow(dst, len(message)-src.off)
	for !r.final {
		if out, err = r.readFrame(src, out, int64(len(message))); err != nil {
			clear(out[len(dst):cap(out)])
			return dst, nil, err
		}
	}
	fail := func(err error) ([]byte, map[string]string, error) {
		clear(out[len(dst):]) // no unauthenticated plaintext left behind
		return dst, nil, err
	}
	if err := r.readFooter(src); err != nil {
		return fail(err)
	}
	if src.off != len(message) {
		return fail(malformed("%d bytes after the end of the message", len(message)-src.off))
	}
	return out, r.h.context, nil
}
