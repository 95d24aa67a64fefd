package envelope_test

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"

	"github.com/keyward/keyward/shared/envelope"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSAKey returns one 2048-bit RSA key per test binary.
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaKey = k
	})
	return rsaKey
}

func testAESKey(n int) []byte {
	k := make([]byte, n)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

func mustAESKeyring(t testing.TB, bits int) envelope.Keyring {
	t.Helper()
	kr, err := envelope.NewRawAESKeyring("keyward-test", "aes-"+itoa(bits), testAESKey(bits/8))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func mustRSAKeyring(t testing.TB, p envelope.RSAPadding) envelope.Keyring {
	t.Helper()
	kr, err := envelope.NewRawRSAKeyring("keyward-test", "rsa-2048", p, nil, testRSAKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func mustClient(t testing.TB, cfg envelope.Config) *envelope.Client {
	t.Helper()
	c, err := envelope.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func policyFor(s envelope.SuiteID) envelope.CommitmentPolicy {
	if s.Committing() {
		return envelope.RequireEncryptRequireDecrypt
	}
	return envelope.ForbidEncryptAllowDecrypt
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}
