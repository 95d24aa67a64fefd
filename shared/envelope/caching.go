package envelope

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// CachingConfig configures NewCachingMaterials.
type CachingConfig struct {
	// Materials is the underlying materials manager, asked on a cache miss.
	Materials MaterialsManager
	// Cache holds the entries; nil means a new cache of 1000 entries.
	Cache *MaterialsCache
	// TTL is how long an entry may be used; required.
	TTL time.Duration
	// MaxMessages is how many messages one data key may encrypt (default and maximum 2^32).
	MaxMessages uint64
	// MaxBytes is how many plaintext bytes one data key may encrypt (default 2^63-1).
	MaxBytes uint64
	// PartitionID separates the entries of managers that share a Cache; managers with the same
	// partition id share entries. Empty means a random id: entries private to this manager.
	PartitionID string

	now func() time.Time // tests
}

// CacheStats counts lookups of a caching materials manager.
type CacheStats struct {
	Hits   uint64 // materials served from the cache
	Misses uint64 // calls to the underlying materials manager
}

// CachingMaterials is the caching materials manager of the specification: it reuses data keys
// within the limits of its configuration. Concurrent misses for one entry make a single call to
// the underlying manager; the other callers wait for its result.
type CachingMaterials struct {
	under         MaterialsManager
	cache         *MaterialsCache
	ttl           time.Duration
	maxMessages   uint64
	maxBytes      uint64
	partitionHash [64]byte
	now           func() time.Time
	hits, misses  atomic.Uint64
}

// NewCachingMaterials returns a caching materials manager. Messages of unknown size (a streaming
// encrypt without a size) and suites without key derivation bypass the cache, as the
// specification requires.
func NewCachingMaterials(cfg CachingConfig) (*CachingMaterials, error) {
	if cfg.Materials == nil {
		return nil, errors.New("envelope: caching materials need an underlying materials manager")
	}
	if cfg.TTL <= 0 {
		return nil, errors.New("envelope: caching materials need a positive TTL")
	}
	if cfg.MaxMessages == 0 {
		cfg.MaxMessages = 1 << 32
	}
	if cfg.MaxMessages > 1<<32 {
		return nil, fmt.Errorf("envelope: MaxMessages %d above 2^32", cfg.MaxMessages)
	}
	if cfg.MaxBytes == 0 || cfg.MaxBytes > math.MaxInt64 {
		cfg.MaxBytes = math.MaxInt64
	}
	if cfg.Cache == nil {
		cfg.Cache = NewMaterialsCache(1000)
	}
	if cfg.PartitionID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		cfg.PartitionID = hex.EncodeToString(b[:])
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &CachingMaterials{under: cfg.Materials, cache: cfg.Cache, ttl: cfg.TTL, maxMessages: cfg.MaxMessages,
		maxBytes: cfg.MaxBytes, partitionHash: sha512.Sum512([]byte(cfg.PartitionID)), now: cfg.now}, nil
}

// Stats returns the hit and miss counts so far.
func (c *CachingMaterials) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load()}
}

// serialPool holds buffers for serializing encryption contexts into cache identifiers.
var serialPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// encryptID is ENTRY_ID for encryption materials: SHA-512(SHA-512(partition id) ‖ 0x00 ‖
// SHA-512(context)), or with 0x01 ‖ suite id in place of 0x00 when the request names a suite.
func (c *CachingMaterials) encryptID(suite SuiteID, ec map[string]string) (cacheID, error) {
	var buf [64 + 3 + 64]byte
	b := append(buf[:0], c.partitionHash[:]...)
	if suite == 0 {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.BigEndian.AppendUint16(b, uint16(suite))
	}
	sp := serialPool.Get().(*[]byte)
	defer serialPool.Put(sp)
	ser, err := appendContext((*sp)[:0], ec)
	if err != nil {
		return cacheID{}, err
	}
	*sp = ser
	h := sha512.Sum512(ser)
	return sha512.Sum512(append(b, h[:]...)), nil
}

// decryptID is ENTRY_ID for decryption materials: SHA-512(SHA-512(partition id) ‖ suite id ‖
// sorted SHA-512 of each serialized encrypted data key ‖ 64 zero bytes ‖ SHA-512(context)).
func (c *CachingMaterials) decryptID(suite SuiteID, edks []EncryptedDataKey, ec map[string]string) (cacheID, error) {
	hashes := make([][64]byte, len(edks))
	for i, k := range edks {
		var ser []byte
		ser = binary.BigEndian.AppendUint16(ser, uint16(len(k.ProviderID)))
		ser = append(ser, k.ProviderID...)
		ser = binary.BigEndian.AppendUint16(ser, uint16(len(k.ProviderInfo)))
		ser = append(ser, k.ProviderInfo...)
		ser = binary.BigEndian.AppendUint16(ser, uint16(len(k.Ciphertext)))
		ser = append(ser, k.Ciphertext...)
		hashes[i] = sha512.Sum512(ser)
	}
	slices.SortFunc(hashes, func(a, b [64]byte) int { return bytes.Compare(a[:], b[:]) })
	h := sha512.New()
	h.Write(c.partitionHash[:])
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(suite)))
	for _, x := range hashes {
		h.Write(x[:])
	}
	h.Write(make([]byte, 64))
	ser, err := serializeContext(ec)
	if err != nil {
		return cacheID{}, err
	}
	ech := sha512.Sum512(ser)
	h.Write(ech[:])
	var id cacheID
	h.Sum(id[:0])
	return id, nil
}

// GetEncryptionMaterials serves materials from the cache while the entry is within its TTL and
// usage limits, and otherwise asks the underlying manager once.
func (c *CachingMaterials) GetEncryptionMaterials(ctx context.Context, req *EncryptionMaterialsRequest) (*EncryptionMaterials, error) {
	if (req.Suite != 0 && req.Suite.IdentityKDF()) || req.PlaintextLength < 0 || uint64(req.PlaintextLength) > c.maxBytes {
		return c.under.GetEncryptionMaterials(ctx, req)
	}
	id, err := c.encryptID(req.Suite, req.EncryptionContext)
	if err != nil {
		return nil, err
	}
	n := uint64(req.PlaintextLength)
	var fresh *EncryptionMaterials
	err = c.do(ctx, id,
		func(e *cacheEntry) bool {
			if e.enc == nil || e.messages+1 > c.maxMessages || e.bytes+n > c.maxBytes {
				return false
			}
			e.messages++
			e.bytes += n
			fresh = e.enc
			return true
		},
		func() (*cacheEntry, error) {
			sub := *req
			sub.PlaintextLength = int64(c.maxBytes)
			m, err := c.under.GetEncryptionMaterials(ctx, &sub)
			if err != nil {
				return nil, err
			}
			fresh = m
			if m.Suite.IdentityKDF() {
				return nil, nil
			}
			// Serialize the context once for every message the entry will serve. The copy keeps
			// the underlying manager's materials untouched.
			shared := *m
			if shared.contextBytes, err = serializeContext(m.EncryptionContext); err != nil {
				return nil, err
			}
			if shared.contextBytes == nil {
				shared.contextBytes = []byte{}
			}
			fresh = &shared
			return &cacheEntry{enc: &shared, messages: 1, bytes: n}, nil
		})
	return fresh, err
}

// DecryptMaterials serves materials from the cache within their TTL.
func (c *CachingMaterials) DecryptMaterials(ctx context.Context, req *DecryptMaterialsRequest) (*DecryptionMaterials, error) {
	if req.Suite.IdentityKDF() {
		return c.under.DecryptMaterials(ctx, req)
	}
	id, err := c.decryptID(req.Suite, req.EncryptedDataKeys, req.EncryptionContext)
	if err != nil {
		return nil, err
	}
	var out *DecryptionMaterials
	err = c.do(ctx, id,
		func(e *cacheEntry) bool {
			out = e.dec
			return e.dec != nil
		},
		func() (*cacheEntry, error) {
			m, err := c.under.DecryptMaterials(ctx, req)
			if err != nil {
				return nil, err
			}
			out = m
			return &cacheEntry{dec: m}, nil
		})
	return out, err
}

// do looks id up; use reports whether a live entry can serve the request (and records the use).
// On a miss exactly one caller runs fetch while the others wait for it and look again.
func (c *CachingMaterials) do(ctx context.Context, id cacheID, use func(*cacheEntry) bool, fetch func() (*cacheEntry, error)) error {
	mc := c.cache
	for {
		mc.mu.Lock()
		if e := mc.getLocked(id, c.now()); e != nil {
			if use(e) {
				mc.mu.Unlock()
				c.hits.Add(1)
				return nil
			}
			mc.removeLocked(id) // used up
		}
		if f, ok := mc.inflight[id]; ok {
			mc.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if f.err != nil {
				return f.err
			}
			continue
		}
		f := &flight{done: make(chan struct{})}
		mc.inflight[id] = f
		mc.mu.Unlock()

		c.misses.Add(1)
		e, err := fetch()
		mc.mu.Lock()
		delete(mc.inflight, id)
		if err == nil && e != nil {
			e.id = id
			e.expires = c.now().Add(c.ttl)
			mc.putLocked(e)
		}
		mc.mu.Unlock()
		f.err = err
		close(f.done)
		return err
	}
}
