package keyops

import (
	"time"
)

// Limits documented in the OpenAPI document.
const (
	// MaxEncryptBody bounds the request body of POST /v1/encrypt (and the other
	// data-plane routes): 256 KiB of JSON, so about 190 KiB of plaintext after base64.
	MaxEncryptBody = 256 << 10
	// MaxContextBytes bounds the serialized encryption context (sum of key and value
	// lengths) of a request.
	MaxContextBytes = 8 << 10
	// MaxControlBody bounds the body of every other route.
	MaxControlBody = 64 << 10
)

// Config holds the settings of a Handler; zero fields take the defaults below.
type Config struct {
	AccountID string // the account of the keys (root statement of key policies)
	Region    string
	Partition string // "aws" unless set
	// Environment, when set, is the only environment keys may be created for: one
	// deployment per environment, keys never shared across environments (and the
	// function's IAM policy only reaches keys tagged with it).
	Environment string

	// GuardDays is N of the guardrails: no deletion of a key used in the last N days,
	// no disable of such a key without force and a reason. Default 30.
	GuardDays int
	// RegistryTTL and PolicyTTL bound how long a key registry item or a principal's
	// policy is cached in the process. Defaults 10 s and 30 s.
	RegistryTTL time.Duration
	PolicyTTL   time.Duration
	// UseGranularity is how often keyops rewrites its own last-use record of one key
	// by one principal: at most once per granularity (default 1 min), so the
	// recorded last use is never older than the true one by more than that.
	UseGranularity time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered. Default 24 h.
	IdempotencyTTL time.Duration
	// DefaultDeletionDays is the waiting period of schedule-deletion. Default 30.
	DefaultDeletionDays int
	// Now is the clock (tests); time.Now by default.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Partition == "" {
		c.Partition = "aws"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.GuardDays <= 0 {
		c.GuardDays = 30
	}
	if c.RegistryTTL <= 0 {
		c.RegistryTTL = 10 * time.Second
	}
	if c.PolicyTTL <= 0 {
		c.PolicyTTL = 30 * time.Second
	}
	if c.UseGranularity <= 0 {
		c.UseGranularity = time.Minute
	}
	if c.IdempotencyTTL <= 0 {
		c.IdempotencyTTL = 24 * time.Hour
	}
	if c.DefaultDeletionDays == 0 {
		c.DefaultDeletionDays = 30
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c Config) guardWindow() time.Duration { return time.Duration(c.GuardDays) * 24 * time.Hour }
