package envelope

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// appendContext appends the serialization of ec (structures.md): a two-byte count, then for each
// entry, sorted by key in binary UTF-8 order, a two-byte key length, the key, a two-byte value length
// and the value. An empty context serializes to no bytes at all.
func appendContext(dst []byte, ec map[string]string) ([]byte, error) {
	if len(ec) == 0 {
		return dst, nil
	}
	if len(ec) > 0xFFFF {
		return nil, fmt.Errorf("%w: %d entries", ErrInvalidContext, len(ec))
	}
	var small [8]string // most contexts are small: sort their keys without allocating
	keys := small[:0]
	if len(ec) > len(small) {
		keys = make([]string, 0, len(ec))
	}
	for k := range ec {
		keys = append(keys, k)
	}
	// Go compares strings byte by byte, which for valid UTF-8 is the code point order the spec
	// requires (and not the UTF-16 order of JavaScript's sort).
	slices.Sort(keys)
	start := len(dst)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(keys)))
	for _, k := range keys {
		v := ec[k]
		if len(k) > 0xFFFF || len(v) > 0xFFFF {
			return nil, fmt.Errorf("%w: entry %q too long", ErrInvalidContext, k)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("%w: entry %q is not UTF-8", ErrInvalidContext, k)
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(k)))
		dst = append(dst, k...)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(v)))
		dst = append(dst, v...)
	}
	if len(dst)-start > 0xFFFF {
		return nil, fmt.Errorf("%w: serialized context is %d bytes, more than 65535", ErrInvalidContext, len(dst)-start)
	}
	return dst, nil
}

// serializeContext returns the serialization of ec.
func serializeContext(ec map[string]string) ([]byte, error) { return appendContext(nil, ec) }

// parseContext parses a serialized encryption context. Duplicate keys and trailing bytes are
// malformed; so is text that is not UTF-8.
func parseContext(b []byte) (map[string]string, error) {
	if len(b) == 0 {
		return map[string]string{}, nil
	}
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: encryption context truncated", ErrMalformed)
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	ec := make(map[string]string, n)
	read := func() (string, error) {
		if len(b) < 2 {
			return "", fmt.Errorf("%w: encryption context truncated", ErrMalformed)
		}
		l := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+l {
			return "", fmt.Errorf("%w: encryption context truncated", ErrMalformed)
		}
		s := string(b[2 : 2+l])
		b = b[2+l:]
		if !utf8.ValidString(s) {
			return "", fmt.Errorf("%w: encryption context is not UTF-8", ErrMalformed)
		}
		return s, nil
	}
	for range n {
		k, err := read()
		if err != nil {
			return nil, err
		}
		v, err := read()
		if err != nil {
			return nil, err
		}
		if _, dup := ec[k]; dup {
			return nil, fmt.Errorf("%w: duplicate encryption context key", ErrMalformed)
		}
		ec[k] = v
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the encryption context", ErrMalformed, len(b))
	}
	return ec, nil
}

// checkCallerContext rejects keys the SDK reserves for itself.
func checkCallerContext(ec map[string]string) error {
	for k := range ec {
		if strings.HasPrefix(k, reservedContextPrefix) {
			return fmt.Errorf("%w: key %q uses the reserved prefix %q", ErrInvalidContext, k, reservedContextPrefix)
		}
	}
	return nil
}

// checkRequired fails unless every entry of required is in ec with the same value.
func checkRequired(ec, required map[string]string) error {
	for k, want := range required {
		got, ok := ec[k]
		if !ok {
			return fmt.Errorf("%w: key %q missing", ErrContextMismatch, k)
		}
		if got != want {
			return fmt.Errorf("%w: key %q differs", ErrContextMismatch, k)
		}
	}
	return nil
}
