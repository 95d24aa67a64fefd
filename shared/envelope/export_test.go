package envelope

// SetNonFramed makes a Config encrypt non-framed messages (the format allows them; the public API
// only writes framed ones).
func SetNonFramed(c *Config) { c.nonFramed = true }
