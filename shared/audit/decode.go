package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"unicode/utf8"
	"unsafe"
)

// scanner is a small validating JSON reader over one buffer. It decodes only what
// the audit record needs and skips (while validating) everything else, which is
// what makes parsing several times faster than encoding/json into structs.
//
// Strings without escapes are returned as slices of the input (no copy); the
// decoder never modifies its input.
type scanner struct {
	b     []byte
	i     int
	depth int
}

// maxDepth matches encoding/json's nesting limit.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\n', '\t', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// expect consumes c after optional whitespace.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return errSyntax
	}
	s.i++
	return nil
}

// SWAR helpers: test 8 bytes at once for the bytes a string scan must stop at.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasZero is non-zero if a byte of v is zero (no false negatives).
func hasZero(v uint64) uint64 { return (v - lsb) & ^v & msb }

// stopsString is non-zero if a byte of x is '"', '\\' or a control character.
func stopsString(x uint64) uint64 {
	return hasZero(x^(lsb*'"')) | hasZero(x^(lsb*'\\')) | ((x - lsb*0x20) & ^x & msb)
}

// skipPlain advances from i over 8-byte words that hold only plain bytes
// (stopsString false; non-ASCII too unless ascii is set).
func skipPlain(b []byte, i int, ascii bool) int {
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		m := stopsString(x)
		if ascii {
			m |= x & msb
		}
		if m != 0 {
			return i
		}
		i += 8
	}
	return i
}

// str reads a string token (the next byte must be '"') and returns its value.
func (s *scanner) str() ([]byte, error) {
	start := s.i + 1
	for i := skipPlain(s.b, start, true); i < len(s.b); i++ {
		c := s.b[i]
		if c == '"' {
			s.i = i + 1
			return s.b[start:i], nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			return s.strSlow(start)
		}
	}
	return nil, errSyntax
}

// strSlow handles escapes and non-ASCII: validate the token, then let
// encoding/json unquote it (so the result is identical, including the
// replacement of invalid UTF-8).
func (s *scanner) strSlow(start int) ([]byte, error) {
	end, escaped, err := s.strEnd(start)
	if err != nil {
		return nil, err
	}
	raw := s.b[start:end]
	s.i = end + 1
	if !escaped && utf8.Valid(raw) {
		return raw, nil
	}
	var v string
	if err := json.Unmarshal(s.b[start-1:end+1], &v); err != nil {
		return nil, errSyntax
	}
	return []byte(v), nil
}

// strEnd finds the closing quote of a string whose content starts at start.
func (s *scanner) strEnd(start int) (end int, escaped bool, err error) {
	for i := start; i < len(s.b); i++ {
		c := s.b[i]
		switch {
		case c == '"':
			return i, escaped, nil
		case c < 0x20:
			return 0, false, errSyntax
		case c == '\\':
			escaped = true
			i++
			if i >= len(s.b) {
				return 0, false, errSyntax
			}
			switch s.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.b) {
					return 0, false, errSyntax
				}
				for _, h := range s.b[i+1 : i+5] {
					if !isHex(h) {
						return 0, false, errSyntax
					}
				}
				i += 4
			default:
				return 0, false, errSyntax
			}
		}
	}
	return 0, false, errSyntax
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// skipString skips a string token without decoding it.
func (s *scanner) skipString() error {
	for i := s.i + 1; i < len(s.b); i++ {
		i = skipPlain(s.b, i, false)
		if i >= len(s.b) {
			break
		}
		c := s.b[i]
		if c == '"' {
			s.i = i + 1
			return nil
		}
		if c == '\\' || c < 0x20 {
			end, _, err := s.strEnd(s.i + 1)
			if err != nil {
				return err
			}
			s.i = end + 1
			return nil
		}
	}
	return errSyntax
}

// skip skips one value of any type, validating it.
func (s *scanner) skip() error {
	switch s.peek() {
	case '"':
		return s.skipString()
	case '{':
		return s.skipObject()
	case '[':
		return s.skipArray()
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	default:
		return s.number()
	}
}

func (s *scanner) lit(w string) error {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return errSyntax
	}
	s.i += len(w)
	return nil
}

func (s *scanner) number() error {
	i := s.i
	if i < len(s.b) && s.b[i] == '-' {
		i++
	}
	switch {
	case i < len(s.b) && s.b[i] == '0':
		i++
	case i < len(s.b) && '1' <= s.b[i] && s.b[i] <= '9':
		for i < len(s.b) && '0' <= s.b[i] && s.b[i] <= '9' {
			i++
		}
	default:
		return errSyntax
	}
	if i < len(s.b) && s.b[i] == '.' {
		i++
		d := i
		for i < len(s.b) && '0' <= s.b[i] && s.b[i] <= '9' {
			i++
		}
		if i == d {
			return errSyntax
		}
	}
	if i < len(s.b) && (s.b[i] == 'e' || s.b[i] == 'E') {
		i++
		if i < len(s.b) && (s.b[i] == '+' || s.b[i] == '-') {
			i++
		}
		d := i
		for i < len(s.b) && '0' <= s.b[i] && s.b[i] <= '9' {
			i++
		}
		if i == d {
			return errSyntax
		}
	}
	s.i = i
	return nil
}

func (s *scanner) enter() error {
	s.depth++
	if s.depth > maxDepth {
		return errSyntax
	}
	return nil
}

func (s *scanner) skipObject() error {
	err := s.object(func(_ []byte) error { return s.skip() })
	return err
}

func (s *scanner) skipArray() error {
	return s.array(func() error { return s.skip() })
}

// object reads an object (the next byte must be '{'), calling field for each
// member with the scanner positioned at the value; field must consume the value.
func (s *scanner) object(field func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		s.depth--
		return nil
	}
	for {
		if s.peek() != '"' {
			return errSyntax
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		s.ws()
		if err := field(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// array reads an array (the next byte must be '['), calling elem for each element.
func (s *scanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		s.depth--
		return nil
	}
	for {
		s.ws()
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// strOrSkip returns the value if it is a string; any other type is skipped and
// reported as absent (CloudTrail fields of the wrong type are ignored).
func (s *scanner) strOrSkip() (string, error) {
	if s.peek() != '"' {
		return "", s.skip()
	}
	b, err := s.str()
	if err != nil {
		return "", err
	}
	return bstr(b), nil
}

// boolOrSkip returns 1 for false, 2 for true, 0 (absent) for any other type.
func (s *scanner) boolOrSkip() (tri, error) {
	switch s.peek() {
	case 't':
		return triTrue, s.lit("true")
	case 'f':
		return triFalse, s.lit("false")
	}
	return triUnset, s.skip()
}

// raw skips a value and returns its bytes (nil for null).
func (s *scanner) raw() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.skip(); err != nil {
		return nil, err
	}
	v := s.b[start:s.i]
	if string(v) == "null" {
		return nil, nil
	}
	return v, nil
}

// bstr views b as a string without copying. The decoder never writes to its
// input, and callers must not modify a buffer whose records are still in use.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

type tri uint8

const (
	triUnset tri = iota
	triFalse
	triTrue
)
