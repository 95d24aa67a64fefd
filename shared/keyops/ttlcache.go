package keyops

import (
	"sync"
	"time"
)

// ttlCache is a small in-process cache of values (and of absences) for a bounded time.
type ttlCache[V any] struct {
	mu  sync.RWMutex
	ttl time.Duration
	m   map[string]ttlEntry[V]
	now func() time.Time
}

type ttlEntry[V any] struct {
	v       V
	found   bool
	expires time.Time
}

func newTTLCache[V any](ttl time.Duration, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, m: map[string]ttlEntry[V]{}, now: now}
}

func (c *ttlCache[V]) get(k string) (v V, found, ok bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || c.now().After(e.expires) {
		return v, false, false
	}
	return e.v, e.found, true
}

func (c *ttlCache[V]) put(k string, v V, found bool) {
	c.mu.Lock()
	if len(c.m) > 10000 { // bound memory: start over rather than track recency
		c.m = map[string]ttlEntry[V]{}
	}
	c.m[k] = ttlEntry[V]{v: v, found: found, expires: c.now().Add(c.ttl)}
	c.mu.Unlock()
}

func (c *ttlCache[V]) forget(k string) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}
