package envelope_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/envelope"
)

// countingKeyring counts calls and can block OnEncrypt until released, to pile up concurrent misses.
type countingKeyring struct {
	envelope.Keyring
	enc, dec atomic.Int64
	gate     chan struct{}
}

func (k *countingKeyring) OnEncrypt(ctx context.Context, m *envelope.EncryptionMaterials) error {
	k.enc.Add(1)
	if k.gate != nil {
		<-k.gate
	}
	return k.Keyring.OnEncrypt(ctx, m)
}

func (k *countingKeyring) OnDecrypt(ctx context.Context, m *envelope.DecryptionMaterials, edks []envelope.EncryptedDataKey) error {
	k.dec.Add(1)
	return k.Keyring.OnDecrypt(ctx, m, edks)
}

func newCaching(t *testing.T, kr envelope.Keyring, mod func(*envelope.CachingConfig)) *envelope.CachingMaterials {
	t.Helper()
	cfg := envelope.CachingConfig{Materials: envelope.NewKeyringMaterials(kr), TTL: time.Minute}
	if mod != nil {
		mod(&cfg)
	}
	c, err := envelope.NewCachingMaterials(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCachingLimits(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	tests := []struct {
		name      string
		mod       func(*envelope.CachingConfig)
		sizes     []int
		advance   time.Duration
		wantCalls int64
	}{
		{"reuse", nil, []int{10, 10, 10, 10}, 0, 1},
		{"max messages", func(c *envelope.CachingConfig) { c.MaxMessages = 2 }, []int{1, 1, 1, 1, 1}, 0, 3},
		{"max bytes", func(c *envelope.CachingConfig) { c.MaxBytes = 25 }, []int{10, 10, 10, 10}, 0, 2},
		{"larger than max bytes bypasses", func(c *envelope.CachingConfig) { c.MaxBytes = 5 }, []int{10, 10}, 0, 2},
		{"ttl", func(c *envelope.CachingConfig) { c.TTL = time.Second }, []int{1, 1, 1}, 2 * time.Second, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr := &countingKeyring{Keyring: mustAESKeyring(t, 256)}
			cmm := newCaching(t, kr, func(c *envelope.CachingConfig) {
				envelope.SetClock(c, clock)
				if tt.mod != nil {
					tt.mod(c)
				}
			})
			c := mustClient(t, envelope.Config{Materials: cmm})
			for _, n := range tt.sizes {
				msg, err := c.Encrypt(ctx, pattern(n), map[string]string{"a": "b"})
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := c.Decrypt(ctx, msg, nil); err != nil {
					t.Fatal(err)
				}
				now = now.Add(tt.advance)
			}
			if got := kr.enc.Load(); got != tt.wantCalls {
				t.Fatalf("keyring OnEncrypt calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestCachingKeysByContextSuiteAndPartition(t *testing.T) {
	ctx := context.Background()
	kr := &countingKeyring{Keyring: mustAESKeyring(t, 256)}
	shared := envelope.NewMaterialsCache(10)
	a := newCaching(t, kr, func(c *envelope.CachingConfig) { c.Cache, c.PartitionID = shared, "p1" })
	b := newCaching(t, kr, func(c *envelope.CachingConfig) { c.Cache, c.PartitionID = shared, "p1" })
	other := newCaching(t, kr, func(c *envelope.CachingConfig) { c.Cache, c.PartitionID = shared, "p2" })
	enc := func(m envelope.MaterialsManager, suite envelope.SuiteID, ec map[string]string) {
		if _, err := mustClient(t, envelope.Config{Materials: m, Suite: suite}).Encrypt(ctx, []byte("x"), ec); err != nil {
			t.Fatal(err)
		}
	}
	enc(a, 0, map[string]string{"t": "1"})
	enc(b, 0, map[string]string{"t": "1"}) // same partition: shared entry
	if kr.enc.Load() != 1 {
		t.Fatalf("same partition: %d calls, want 1", kr.enc.Load())
	}
	enc(other, 0, map[string]string{"t": "1"})
	enc(a, 0, map[string]string{"t": "2"})
	enc(a, envelope.AES256GCMHKDFSHA512CommitECDSAP384, map[string]string{"t": "1"})
	if kr.enc.Load() != 4 {
		t.Fatalf("distinct partition, context, suite: %d calls, want 4", kr.enc.Load())
	}
}

func TestCachingDecrypt(t *testing.T) {
	ctx := context.Background()
	kr := &countingKeyring{Keyring: mustAESKeyring(t, 256)}
	plain := mustClient(t, envelope.Config{Keyring: kr})
	cached := mustClient(t, envelope.Config{Materials: newCaching(t, kr, nil)})
	msg, err := plain.Encrypt(ctx, []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, _, err := cached.Decrypt(ctx, msg, nil); err != nil {
			t.Fatal(err)
		}
	}
	if kr.dec.Load() != 1 {
		t.Fatalf("OnDecrypt calls = %d, want 1", kr.dec.Load())
	}
}

func TestCachingSingleFlight(t *testing.T) {
	ctx := context.Background()
	kr := &countingKeyring{Keyring: mustAESKeyring(t, 256), gate: make(chan struct{})}
	cmm := newCaching(t, kr, nil)
	c := mustClient(t, envelope.Config{Materials: cmm})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	var started sync.WaitGroup
	started.Add(64)
	for range 64 {
		wg.Go(func() {
			started.Done()
			_, err := c.Encrypt(ctx, []byte("x"), map[string]string{"same": "entry"})
			errs <- err
		})
	}
	started.Wait()
	// Let every goroutine reach the cache before the one keyring call returns.
	for cmm.Stats().Misses == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(kr.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := kr.enc.Load(); got != 1 {
		t.Fatalf("64 concurrent misses made %d keyring calls, want 1", got)
	}
	if s := cmm.Stats(); s.Misses != 1 || s.Hits != 63 {
		t.Fatalf("stats %+v, want 1 miss and 63 hits", s)
	}
}

func TestCachingSingleFlightError(t *testing.T) {
	failing := &countingKeyring{Keyring: failingKeyring{}}
	c := mustClient(t, envelope.Config{Materials: newCaching(t, failing, nil)})
	if _, err := c.Encrypt(context.Background(), []byte("x"), nil); !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want the keyring's error", err)
	}
}

var errBoom = errors.New("boom")

type failingKeyring struct{}

func (failingKeyring) OnEncrypt(context.Context, *envelope.EncryptionMaterials) error { return errBoom }
func (failingKeyring) OnDecrypt(context.Context, *envelope.DecryptionMaterials, []envelope.EncryptedDataKey) error {
	return errBoom
}
