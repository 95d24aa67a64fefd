package envelope

import (
	"crypto/cipher"
	"encoding/binary"
)

// Body AAD content strings (data-format/message-body-aad.md).
const (
	aadSingleBlock = "AWSKMSEncryptionClient Single Block"
	aadFrame       = "AWSKMSEncryptionClient Frame"
	aadFinalFrame  = "AWSKMSEncryptionClient Final Frame"
	finalFrameMark = 0xFFFFFFFF
)

// frameCipher seals and opens the body of one message. It reuses its AAD and IV buffers, so a
// message costs no allocation per frame.
type frameCipher struct {
	aead   cipher.AEAD
	idLen  int
	aad    []byte // message id ‖ content string ‖ sequence number ‖ content length
	aadBuf [32 + len(aadSingleBlock) + 12]byte
	iv     [ivLen]byte
}

func newFrameCipher(aead cipher.AEAD, messageID []byte) *frameCipher {
	f := &frameCipher{aead: aead, idLen: len(messageID)}
	f.aad = append(f.aadBuf[:0], messageID...)
	return f
}

func (f *frameCipher) bodyAAD(kind string, seq uint32, n uint64) []byte {
	a := append(f.aad[:f.idLen], kind...)
	a = binary.BigEndian.AppendUint32(a, seq)
	a = binary.BigEndian.AppendUint64(a, n)
	f.aad = a
	return a
}

// seqIV is the IV the encryptor uses for a frame: its sequence number, big-endian, left-padded.
func (f *frameCipher) seqIV(seq uint32) []byte {
	clear(f.iv[:8])
	binary.BigEndian.PutUint32(f.iv[8:], seq)
	return f.iv[:]
}

// appendFrame seals pt as frame seq and appends the serialized frame to dst.
func (f *frameCipher) appendFrame(dst []byte, seq uint32, pt []byte, final bool) []byte {
	be := binary.BigEndian
	kind := aadFrame
	if final {
		kind = aadFinalFrame
		dst = be.AppendUint32(dst, finalFrameMark)
	}
	dst = be.AppendUint32(dst, seq)
	iv := f.seqIV(seq)
	dst = append(dst, iv...)
	if final {
		dst = be.AppendUint32(dst, uint32(len(pt)))
	}
	return f.aead.Seal(dst, iv, pt, f.bodyAAD(kind, seq, uint64(len(pt))))
}

// appendSingleBlock seals pt as non-framed content and appends it to dst.
func (f *frameCipher) appendSingleBlock(dst []byte, pt []byte) []byte {
	iv := f.seqIV(1)
	dst = append(dst, iv...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(len(pt)))
	return f.aead.Seal(dst, iv, pt, f.bodyAAD(aadSingleBlock, 1, uint64(len(pt))))
}

// frameSize is the serialized size of a frame holding n plaintext bytes.
func frameSize(n int, final bool) int {
	if final {
		return 4 + 4 + ivLen + 4 + n + tagLen
	}
	return 4 + ivLen + n + tagLen
}
