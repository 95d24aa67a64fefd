package audit

import "sync"

// writeCache remembers writes a warm instance has already made (first-seen times,
// last-use times, activity set members) so that a steady stream does not rewrite
// them. Only successful writes are cached, so a crash never hides a missing write.
// When full it is cleared: a cache miss only costs an idempotent rewrite.
type writeCache struct {
	mu  sync.Mutex
	max int
	m   map[string]string
}

func newWriteCache(max int) *writeCache { return &writeCache{max: max, m: map[string]string{}} }

func (c *writeCache) get(k string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *writeCache) put(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = v
}
