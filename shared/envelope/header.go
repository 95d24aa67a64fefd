package envelope

import (
	"encoding/binary"
	"fmt"
)

const (
	contentNonFramed byte = 0x01
	contentFramed    byte = 0x02
	typeCustomerAEAD byte = 0x80
)

// EncryptedDataKey is one encrypted copy of a message's data key, as stored in the header.
type EncryptedDataKey struct {
	ProviderID   string // "aws-kms" or a raw keyring's namespace
	ProviderInfo []byte // a key ARN, or a raw keyring's key name (and, for AES, tag length, IV length, IV)
	Ciphertext   []byte
}

// header is a parsed or to-be-written message header (data-format/message-header.md).
type header struct {
	suite        *suite
	messageID    []byte
	context      map[string]string
	contextBytes []byte // the serialized context exactly as in the header
	edks         []EncryptedDataKey
	contentType  byte
	frameLength  uint32
	suiteData    []byte // v2: the commitment key
	authIV       []byte // v1 only
	authTag      []byte
}

// bodyLen is the length of the serialized header body.
func (h *header) bodyLen() int {
	n := 0
	if h.suite.version == 1 {
		n += 1 + 1 + 2 + 16
	} else {
		n += 1 + 2 + 32
	}
	n += 2 + len(h.contextBytes) + 2
	for _, k := range h.edks {
		n += 2 + len(k.ProviderID) + 2 + len(k.ProviderInfo) + 2 + len(k.Ciphertext)
	}
	n++ // content type
	if h.suite.version == 1 {
		n += 4 + 1 + 4
	} else {
		n += 4 + commitKeyLen
	}
	return n
}

// authLen is the length of the header authentication that follows the body.
func (h *header) authLen() int {
	if h.suite.version == 1 {
		return ivLen + tagLen
	}
	return tagLen
}

// appendBody appends the header body: everything the header authentication tag covers.
func (h *header) appendBody(dst []byte) []byte {
	be := binary.BigEndian
	dst = append(dst, h.suite.version)
	if h.suite.version == 1 {
		dst = append(dst, typeCustomerAEAD)
	}
	dst = be.AppendUint16(dst, uint16(h.suite.id))
	dst = append(dst, h.messageID...)
	dst = be.AppendUint16(dst, uint16(len(h.contextBytes)))
	dst = append(dst, h.contextBytes...)
	dst = be.AppendUint16(dst, uint16(len(h.edks)))
	for _, k := range h.edks {
		dst = be.AppendUint16(dst, uint16(len(k.ProviderID)))
		dst = append(dst, k.ProviderID...)
		dst = be.AppendUint16(dst, uint16(len(k.ProviderInfo)))
		dst = append(dst, k.ProviderInfo...)
		dst = be.AppendUint16(dst, uint16(len(k.Ciphertext)))
		dst = append(dst, k.Ciphertext...)
	}
	dst = append(dst, h.contentType)
	if h.suite.version == 1 {
		dst = append(dst, 0, 0, 0, 0, ivLen)
		dst = be.AppendUint32(dst, h.frameLength)
	} else {
		dst = be.AppendUint32(dst, h.frameLength)
		dst = append(dst, h.suiteData...)
	}
	return dst
}

// checkEDKs validates the sizes of encrypted data keys before they are written.
func checkEDKs(edks []EncryptedDataKey) error {
	if len(edks) == 0 {
		return fmt.Errorf("envelope: materials have no encrypted data key")
	}
	if len(edks) > 0xFFFF {
		return fmt.Errorf("envelope: %d encrypted data keys, more than 65535", len(edks))
	}
	for _, k := range edks {
		if len(k.ProviderID) > 0xFFFF || len(k.ProviderInfo) > 0xFFFF || len(k.Ciphertext) > 0xFFFF {
			return fmt.Errorf("envelope: encrypted data key field longer than 65535 bytes")
		}
	}
	return nil
}

// headerReader parses a header from a source while enforcing the header size limit.
type headerReader struct {
	src   source
	limit int
	read  int
	err   error
}

func (r *headerReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	r.read += n
	if r.limit > 0 && r.read > r.limit {
		r.err = fmt.Errorf("%w: header larger than %d bytes", ErrLimit, r.limit)
		return nil
	}
	p, err := r.src.next(n)
	if err != nil {
		r.err = err
		return nil
	}
	return p
}

func (r *headerReader) u8() byte {
	if p := r.bytes(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *headerReader) u16() int {
	if p := r.bytes(2); p != nil {
		return int(binary.BigEndian.Uint16(p))
	}
	return 0
}

func (r *headerReader) u32() uint32 {
	if p := r.bytes(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

// copied returns a copy of the next n bytes (the source's slice is only valid until its next call).
func (r *headerReader) copied(n int) []byte {
	p := r.bytes(n)
	if p == nil {
		return nil
	}
	return append(make([]byte, 0, n), p...)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// readHeader parses the header body and its authentication fields.
func readHeader(src source, lim *Limits) (*header, error) {
	r := &headerReader{src: src, limit: lim.MaxHeaderSize}
	h := &header{}
	version := r.u8()
	if r.err != nil {
		return nil, r.err
	}
	switch version {
	case 1:
		if t := r.u8(); r.err == nil && t != typeCustomerAEAD {
			return nil, malformed("unknown message type 0x%02x", t)
		}
	case 2:
	default:
		return nil, malformed("unknown message format version 0x%02x", version)
	}
	id := SuiteID(r.u16())
	if r.err != nil {
		return nil, r.err
	}
	s, err := lookupSuite(id)
	if err != nil {
		return nil, err
	}
	if s.version != version {
		return nil, malformed("suite %s in a version %d header", id, version)
	}
	h.suite = s
	h.messageID = r.copied(s.messageIDLen())
	h.contextBytes = r.copied(r.u16())
	if r.err != nil {
		return nil, r.err
	}
	if h.context, err = parseContext(h.contextBytes); err != nil {
		return nil, err
	}
	n := r.u16()
	if r.err != nil {
		return nil, r.err
	}
	if n == 0 {
		return nil, malformed("no encrypted data keys")
	}
	if lim.MaxEncryptedDataKeys > 0 && n > lim.MaxEncryptedDataKeys {
		return nil, fmt.Errorf("%w: %d encrypted data keys, more than %d", ErrLimit, n, lim.MaxEncryptedDataKeys)
	}
	h.edks = make([]EncryptedDataKey, n)
	for i := range h.edks {
		h.edks[i].ProviderID = string(r.bytes(r.u16()))
		h.edks[i].ProviderInfo = r.copied(r.u16())
		h.edks[i].Ciphertext = r.copied(r.u16())
	}
	h.contentType = r.u8()
	if version == 1 {
		reserved := r.u32()
		if r.err == nil && reserved != 0 {
			return nil, malformed("reserved field is not zero")
		}
		if l := r.u8(); r.err == nil && l != ivLen {
			return nil, malformed("IV length %d", l)
		}
		h.frameLength = r.u32()
	} else {
		h.frameLength = r.u32()
		h.suiteData = r.copied(commitKeyLen)
	}
	if r.err != nil {
		return nil, r.err
	}
	switch h.contentType {
	case contentFramed:
		if h.frameLength == 0 {
			return nil, malformed("framed content with frame length 0")
		}
		if lim.MaxFrameLength > 0 && int64(h.frameLength) > int64(lim.MaxFrameLength) {
			return nil, fmt.Errorf("%w: frame length %d, more than %d", ErrLimit, h.frameLength, lim.MaxFrameLength)
		}
	case contentNonFramed:
		if h.frameLength != 0 {
			return nil, malformed("non-framed content with frame length %d", h.frameLength)
		}
	default:
		return nil, malformed("unknown content type 0x%02x", h.contentType)
	}
	if version == 1 {
		h.authIV = r.copied(ivLen)
	}
	h.authTag = r.copied(tagLen)
	if r.err != nil {
		return nil, r.err
	}
	return h, nil
}
