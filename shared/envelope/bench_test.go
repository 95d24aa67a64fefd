package envelope_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/envelope"
)

var benchSizes = []struct {
	name string
	n    int
}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}, {"16MiB", 16 << 20}}

var benchSuites = []struct {
	name  string
	suite envelope.SuiteID
}{{"unsigned", envelope.AES256GCMHKDFSHA512Commit}, {"signed", envelope.AES256GCMHKDFSHA512CommitECDSAP384}}

// rawGCMSeal measures plain AES-256-GCM Seal of n bytes (bytes per second) for 200 ms, right
// before the benchmark it is the peer of, so that both see the same machine load.
func rawGCMSeal(n int) float64 {
	// A plain timing loop: testing.Benchmark cannot run inside a running benchmark.
	block, _ := aes.NewCipher(make([]byte, 32))
	aead, _ := cipher.NewGCM(block)
	pt, iv := pattern(n), make([]byte, 12)
	dst := make([]byte, 0, n+16)
	iters := 0
	start := time.Now()
	for iters < 3 || time.Since(start) < 200*time.Millisecond {
		dst = aead.Seal(dst[:0], iv, pt, nil)
		iters++
	}
	return float64(n) * float64(iters) / time.Since(start).Seconds()
}

func benchGCMSeal(b *testing.B, n int) {
	block, _ := aes.NewCipher(make([]byte, 32))
	aead, _ := cipher.NewGCM(block)
	pt := pattern(n)
	dst := make([]byte, 0, n+16)
	iv := make([]byte, 12)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		dst = aead.Seal(dst[:0], iv, pt, nil)
	}
}

// reportRatio adds the throughput ratio to raw GCM Seal of the same size ("x-gcm": 1 = as fast),
// averaging the GCM reference measured before and after the benchmark.
func reportRatio(b *testing.B, n int, elapsed time.Duration, before float64) {
	if elapsed <= 0 {
		return
	}
	ref := (before + rawGCMSeal(n)) / 2
	bps := float64(n) * float64(b.N) / elapsed.Seconds()
	b.ReportMetric(bps/ref, "x-gcm")
}

func BenchmarkGCMSeal(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) { benchGCMSeal(b, s.n) })
	}
}

// cachedClient encrypts with a raw AES keyring behind a caching materials manager, so that the
// benchmark measures the message format, not the keyring.
func cachedClient(b *testing.B, suite envelope.SuiteID) *envelope.Client {
	cmm, err := envelope.NewCachingMaterials(envelope.CachingConfig{Materials: envelope.NewKeyringMaterials(mustAESKeyring(b, 256)), TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	return mustClient(b, envelope.Config{Materials: cmm, Suite: suite})
}

func BenchmarkEncrypt(b *testing.B) {
	ctx := context.Background()
	ec := map[string]string{"tenant": "acme", "purpose": "bench"}
	for _, su := range benchSuites {
		for _, s := range benchSizes {
			b.Run(su.name+"/"+s.name, func(b *testing.B) {
				c := cachedClient(b, su.suite)
				pt := pattern(s.n)
				ref := rawGCMSeal(s.n)
				b.SetBytes(int64(s.n))
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, err := c.Encrypt(ctx, pt, ec); err != nil {
						b.Fatal(err)
					}
				}
				reportRatio(b, s.n, b.Elapsed(), ref)
			})
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	ctx := context.Background()
	ec := map[string]string{"tenant": "acme", "purpose": "bench"}
	for _, su := range benchSuites {
		for _, s := range benchSizes {
			b.Run(su.name+"/"+s.name, func(b *testing.B) {
				c := cachedClient(b, su.suite)
				msg, err := c.Encrypt(ctx, pattern(s.n), ec)
				if err != nil {
					b.Fatal(err)
				}
				ref := rawGCMSeal(s.n)
				b.SetBytes(int64(s.n))
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, _, err := c.Decrypt(ctx, msg, nil); err != nil {
						b.Fatal(err)
					}
				}
				reportRatio(b, s.n, b.Elapsed(), ref)
			})
		}
	}
}
