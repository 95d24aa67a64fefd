package envelope

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// newSigningKey makes a per-message ECDSA key and returns it with the base64 of its compressed
// public point, the value of aws-crypto-public-key.
func newSigningKey(s *suite) (*ecdsa.PrivateKey, string, error) {
	priv, err := ecdsa.GenerateKey(s.curve, rand.Reader)
	if err != nil {
		return nil, "", fmt.Errorf("envelope: generate signing key: %w", err)
	}
	pub, err := compressPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, "", err
	}
	return priv, base64.StdEncoding.EncodeToString(pub), nil
}

// compressPublicKey returns the SEC 1 compressed form of pub: 0x02 or 0x03 (the parity of Y), then X.
func compressPublicKey(pub *ecdsa.PublicKey) ([]byte, error) {
	u, err := pub.Bytes() // 0x04 ‖ X ‖ Y
	if err != nil {
		return nil, fmt.Errorf("envelope: encode public key: %w", err)
	}
	size := (len(u) - 1) / 2
	out := make([]byte, 1+size)
	out[0] = 2 | u[len(u)-1]&1
	copy(out[1:], u[1:1+size])
	return out, nil
}

// parsePublicKey decodes the aws-crypto-public-key value of a message of suite s.
func parsePublicKey(s *suite, b64 string) (*ecdsa.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, malformed("public key is not base64")
	}
	x, y := elliptic.UnmarshalCompressed(s.curve, raw)
	if x == nil {
		return nil, malformed("public key is not a compressed point of the suite's curve")
	}
	size := (s.curve.Params().BitSize + 7) / 8
	u := make([]byte, 1+2*size)
	u[0] = 4
	x.FillBytes(u[1 : 1+size])
	y.FillBytes(u[1+size:])
	pub, err := ecdsa.ParseUncompressedPublicKey(s.curve, u)
	if err != nil {
		return nil, malformed("public key: %v", err)
	}
	return pub, nil
}
