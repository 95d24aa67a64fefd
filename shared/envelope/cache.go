package envelope

import (
	"container/list"
	"sync"
	"time"
)

// cacheID identifies a cache entry: a SHA-512 digest (framework/caching-cmm.md, appendix A).
type cacheID [64]byte

type cacheEntry struct {
	id       cacheID
	enc      *EncryptionMaterials
	dec      *DecryptionMaterials
	expires  time.Time
	messages uint64
	bytes    uint64
}

// flight is one call to the underlying materials manager that other callers wait for.
type flight struct {
	done chan struct{}
	err  error
}

// MaterialsCache is an in-memory, least-recently-used cache of encryption and decryption
// materials. Several caching materials managers may share one; their partition ids keep their
// entries apart. It is safe for concurrent use.
type MaterialsCache struct {
	mu       sync.Mutex
	capacity int
	entries  map[cacheID]*list.Element
	lru      *list.List // front: most recently used
	inflight map[cacheID]*flight
}

// NewMaterialsCache returns a cache that holds at most capacity entries (at least 1).
func NewMaterialsCache(capacity int) *MaterialsCache {
	return &MaterialsCache{capacity: max(capacity, 1), entries: map[cacheID]*list.Element{}, lru: list.New(), inflight: map[cacheID]*flight{}}
}

// Len returns the number of entries, expired ones included until they are next looked up.
func (c *MaterialsCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// getLocked returns the entry for id, dropping it if it has expired. c.mu must be held.
func (c *MaterialsCache) getLocked(id cacheID, now time.Time) *cacheEntry {
	el, ok := c.entries[id]
	if !ok {
		return nil
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.removeLocked(id)
		return nil
	}
	c.lru.MoveToFront(el)
	return e
}

func (c *MaterialsCache) removeLocked(id cacheID) {
	if el, ok := c.entries[id]; ok {
		c.lru.Remove(el)
		delete(c.entries, id)
	}
}

func (c *MaterialsCache) putLocked(e *cacheEntry) {
	c.removeLocked(e.id)
	c.entries[e.id] = c.lru.PushFront(e)
	for c.lru.Len() > c.capacity {
		old := c.lru.Back().Value.(*cacheEntry)
		c.removeLocked(old.id)
	}
}
