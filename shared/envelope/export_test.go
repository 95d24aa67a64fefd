package envelope

import "time"

// SetNonFramed makes a Config encrypt non-framed messages (the format allows them; the public API
// only writes framed ones).
func SetNonFramed(c *Config) { c.nonFramed = true }

// SetClock gives a CachingConfig a fake clock.
func SetClock(c *CachingConfig, now func() time.Time) { c.now = now }
