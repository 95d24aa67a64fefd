package rotation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Secret is a secret's JSON object. Fields a strategy does not know are kept, so a
// rotation never drops what an application stored beside the credentials.
type Secret map[string]any

// ParseSecret decodes a SecretString. Its errors never quote the input.
func ParseSecret(s string) (Secret, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrSecretFormat)
	}
	return Secret(m), nil
}

// Encode returns the secret as a SecretString.
func (s Secret) Encode() (string, error) {
	b, err := json.Marshal(map[string]any(s))
	if err != nil {
		return "", fmt.Errorf("%w: encode: unsupported value", ErrSecretFormat)
	}
	return string(b), nil
}

// With returns a copy of s with the given fields replaced.
func (s Secret) With(kv map[string]any) Secret {
	out := make(Secret, len(s)+len(kv))
	for k, v := range s {
		out[k] = v
	}
	for k, v := range kv {
		out[k] = v
	}
	return out
}

// String returns a string field ("" when absent). A field of another type is an
// error naming the field, never its value.
func (s Secret) String(key string) (string, error) {
	v, ok := s[key]
	if !ok || v == nil {
		return "", nil
	}
	str, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: field %q is not a string", ErrSecretFormat, key)
	}
	return str, nil
}

// Int returns an integer field given as a JSON number or a numeric string (0 when absent).
func (s Secret) Int(key string) (int, error) {
	switch v := s[key].(type) {
	case nil:
		return 0, nil
	case json.Number:
		n, err := strconv.Atoi(v.String())
		if err != nil {
			return 0, fmt.Errorf("%w: field %q is not an integer", ErrSecretFormat, key)
		}
		return n, nil
	case float64:
		return int(v), nil
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%w: field %q is not an integer", ErrSecretFormat, key)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("%w: field %q is not an integer", ErrSecretFormat, key)
	}
}

// Bool returns a boolean field given as a JSON boolean or "true"/"false" (nil when absent).
func (s Secret) Bool(key string) (*bool, error) {
	switch v := s[key].(type) {
	case nil:
		return nil, nil
	case bool:
		return &v, nil
	case string:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%w: field %q is not a boolean", ErrSecretFormat, key)
		}
		return &b, nil
	default:
		return nil, fmt.Errorf("%w: field %q is not a boolean", ErrSecretFormat, key)
	}
}
