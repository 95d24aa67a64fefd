package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// secretFields are request/response members that could carry secret material
// (compared case-insensitively). CloudTrail omits them today; keyward strips them
// should they ever appear.
var secretFields = []string{"secretString", "secretBinary", "plaintext", "privateKeyPlaintext",
	"password", "sharedSecret"}

// contextFields hold encryption contexts whose values are hashed.
var contextFields = []string{"encryptionContext", "encryptionContextSubset", "encryptionContextEquals",
	"sourceEncryptionContext", "destinationEncryptionContext"}

func oneOf(key []byte, names []string) bool {
	for _, n := range names {
		if len(key) == len(n) && strings.EqualFold(bstr(key), n) {
			return true
		}
	}
	return false
}

// maxDetail bounds each stored JSON member (a key policy is at most 32 KB).
const maxDetail = 32 << 10

// detail fills the members kept for records stored individually: the hashed
// encryption context and the sanitised request, response and event data.
func (p *Parser) detail(raw *rawRecord, out *Record) error {
	var err error
	if out.RequestParameters, err = p.sanitise(raw.requestParameters, out.Service); err != nil {
		return err
	}
	if out.ResponseElements, err = p.sanitise(raw.responseElements, out.Service); err != nil {
		return err
	}
	if out.AdditionalEventData, err = p.sanitise(raw.additionalEventData, out.Service); err != nil {
		return err
	}
	if out.ServiceEventDetails, err = p.sanitise(raw.serviceEventDetails, out.Service); err != nil {
		return err
	}
	if len(raw.requestParameters) > 0 && raw.requestParameters[0] == '{' {
		s := scanner{b: raw.requestParameters}
		_ = s.object(func(key []byte) error {
			if !strings.EqualFold(bstr(key), "encryptionContext") || s.peek() != '{' {
				return s.skip()
			}
			ctx := map[string]string{}
			err := s.object(func(ck []byte) error {
				v := ""
				if s.peek() == '"' {
					b, err := s.str()
					if err != nil {
						return err
					}
					v = bstr(b)
				} else if err := s.skip(); err != nil {
					return err
				}
				ctx[string(ck)] = p.hashValue(bstr(ck), v)
				return nil
			})
			if len(ctx) > 0 {
				out.Context = ctx
			}
			return err
		})
	}
	return nil
}

// sanitise rewrites a JSON member compactly with secret fields removed and
// encryption-context values replaced by their HMAC.
func (p *Parser) sanitise(raw []byte, service string) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	s := scanner{b: raw}
	out, err := p.scrub(p.scratch[:0], &s, service, false)
	if err != nil {
		return "", ErrMalformedRecord
	}
	p.scratch = out[:0]
	if len(out) > maxDetail {
		return `{"keywardTruncated":true}`, nil
	}
	return string(out), nil
}

// scrub copies one value from s to dst. hashStrings replaces string values by
// their HMAC (inside an encryption context, keyed by the member name ctxKey).
func (p *Parser) scrub(dst []byte, s *scanner, service string, inContext bool) ([]byte, error) {
	switch s.peek() {
	case '{':
		dst = append(dst, '{')
		first := true
		err := s.object(func(key []byte) error {
			if oneOf(key, secretFields) || (service == "ssm" && strings.EqualFold(bstr(key), "value")) {
				return s.skip()
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendJSONString(dst, key)
			dst = append(dst, ':')
			if inContext {
				v := ""
				if s.peek() == '"' {
					b, err := s.str()
					if err != nil {
						return err
					}
					v = bstr(b)
				} else if err := s.skip(); err != nil {
					return err
				}
				dst = append(dst, '"')
				dst = append(dst, p.hashValue(bstr(key), v)...)
				dst = append(dst, '"')
				return nil
			}
			var err error
			dst, err = p.scrub(dst, s, service, oneOf(key, contextFields) && s.peek() == '{')
			return err
		})
		return append(dst, '}'), err
	case '[':
		dst = append(dst, '[')
		first := true
		err := s.array(func() error {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			var err error
			dst, err = p.scrub(dst, s, service, false)
			return err
		})
		return append(dst, ']'), err
	default:
		start := s.i
		if err := s.skip(); err != nil {
			return dst, err
		}
		return append(dst, s.b[start:s.i]...), nil
	}
}

// appendJSONString appends v (an unescaped string value) as a JSON string.
func appendJSONString(dst, v []byte) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range v {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// hashValue is the stored form of an encryption-context value: HMAC-SHA256 keyed
// by the configured secret over "key\x00value", first 16 bytes, hex.
func (p *Parser) hashValue(key, value string) string {
	if p.mac == nil {
		p.mac = hmac.New(sha256.New, p.key)
	}
	p.mac.Reset()
	p.mac.Write([]byte(key))
	p.mac.Write([]byte{0})
	p.mac.Write([]byte(value))
	var sum [sha256.Size]byte
	return hex.EncodeToString(p.mac.Sum(sum[:0])[:16])
}
