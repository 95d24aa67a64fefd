package rules

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"time"
)

// Config holds every rule's thresholds. DefaultConfig gives the seed defaults;
// a JSON document (env ALARM_RULES_CONFIG) overrides any field.
type Config struct {
	// Account is the account that owns the keys and secrets; policy and grant
	// changes naming any other account (or "*") are critical.
	Account string `json:"account"`
	// TrustedAccounts are other accounts policies may name without being critical.
	TrustedAccounts []string `json:"trustedAccounts,omitempty"`

	DecryptSpike    SpikeConfig    `json:"decryptSpike"`
	DecryptAnomaly  BaselineConfig `json:"decryptAnomaly"`
	SecretReads     BaselineConfig `json:"secretReads"`
	FailedCalls     FailedConfig   `json:"failedCalls"`
	UnknownCaller   CallerConfig   `json:"unknownCaller"`
	AliasInUseFor   Duration       `json:"aliasInUseFor"`
	PendingDeletion CountConfig    `json:"pendingDeletionUse"`
}

// SpikeConfig is an absolute count threshold per resource in one window.
type SpikeConfig struct {
	Operations []string `json:"operations"`
	Threshold  int64    `json:"threshold"` // fires when count > Threshold
}

// BaselineConfig compares the hour-to-date count with the mean of the same hour
// of week in past weeks.
type BaselineConfig struct {
	Operation string  `json:"operation"`
	Factor    float64 `json:"factor"`   // fires when current > Factor × baseline
	MinWeeks  int     `json:"minWeeks"` // warm-up: weeks of history needed
	MinCount  int64   `json:"minCount"` // ignore tiny volumes
}

// FailedConfig counts failed cryptographic calls per key and per principal.
type FailedConfig struct {
	ErrorCodes   []string `json:"errorCodes"`
	PerResource  int64    `json:"perResource"`  // fires when count > PerResource
	PerPrincipal int64    `json:"perPrincipal"` // fires when count > PerPrincipal
}

// CountConfig fires when a count exceeds Threshold.
type CountConfig struct {
	Threshold int64 `json:"threshold"`
}

// CallerConfig configures the unknown-caller rule.
type CallerConfig struct {
	// AllowedServices are AWS service principals (invokedBy / service host names)
	// that may call without being known.
	AllowedServices []string `json:"allowedServices"`
	// AllowedVPCEndpoints and AllowedCIDRs, when non-empty, are the only network
	// paths calls may take; any other path fires.
	AllowedVPCEndpoints []string       `json:"allowedVpcEndpoints,omitempty"`
	AllowedCIDRs        []netip.Prefix `json:"allowedCidrs,omitempty"`
	// Learning is how long after a resource's first activity new callers are
	// learned silently (warm-up).
	Learning Duration `json:"learning"`
}

// Duration is a time.Duration that reads and writes as "90m", "168h".
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig returns the defaults taken from the seeds: "Threshold: >10,000
// requests in 5 minutes" for Decrypt, "compare to baseline" for secret reads.
func DefaultConfig(account string) Config {
	return Config{
		Account:        account,
		DecryptSpike:   SpikeConfig{Operations: []string{"Decrypt"}, Threshold: 10_000},
		DecryptAnomaly: BaselineConfig{Operation: "Decrypt", Factor: 5, MinWeeks: 2, MinCount: 1_000},
		SecretReads:    BaselineConfig{Operation: "GetSecretValue", Factor: 5, MinWeeks: 2, MinCount: 50},
		FailedCalls: FailedConfig{
			ErrorCodes:   []string{"AccessDenied", "AccessDeniedException", "InvalidCiphertextException", "IncorrectKeyException"},
			PerResource:  20,
			PerPrincipal: 10,
		},
		UnknownCaller: CallerConfig{
			AllowedServices: []string{
				"secretsmanager.amazonaws.com", "s3.amazonaws.com", "rds.amazonaws.com",
				"lambda.amazonaws.com", "dynamodb.amazonaws.com", "ssm.amazonaws.com",
				"ec2.amazonaws.com", "logs.amazonaws.com", "sns.amazonaws.com",
				"sqs.amazonaws.com", "cloudtrail.amazonaws.com", "AWS Internal",
			},
			Learning: Duration(7 * 24 * time.Hour),
		},
		AliasInUseFor:   Duration(30 * 24 * time.Hour),
		PendingDeletion: CountConfig{Threshold: 0},
	}
}

// ParseConfig overlays a JSON document on the defaults.
func ParseConfig(account string, doc []byte) (Config, error) {
	c := DefaultConfig(account)
	if len(doc) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(doc, &c); err != nil {
		return Config{}, fmt.Errorf("rules config: %w", err)
	}
	if c.Account == "" {
		c.Account = account
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate rejects thresholds that would silence or flood a rule.
func (c Config) Validate() error {
	switch {
	case c.DecryptSpike.Threshold < 1 || len(c.DecryptSpike.Operations) == 0:
		return fmt.Errorf("rules config: decryptSpike needs operations and a threshold ≥ 1")
	case c.DecryptAnomaly.Factor <= 1 || c.SecretReads.Factor <= 1:
		return fmt.Errorf("rules config: baseline factors must be > 1")
	case c.DecryptAnomaly.MinWeeks < 1 || c.SecretReads.MinWeeks < 1:
		return fmt.Errorf("rules config: baseline minWeeks must be ≥ 1")
	case c.FailedCalls.PerResource < 0 || c.FailedCalls.PerPrincipal < 0 || len(c.FailedCalls.ErrorCodes) == 0:
		return fmt.Errorf("rules config: failedCalls needs error codes and thresholds ≥ 0")
	case c.PendingDeletion.Threshold < 0 || c.UnknownCaller.Learning < 0 || c.AliasInUseFor < 0:
		return fmt.Errorf("rules config: negative threshold or duration")
	}
	return nil
}

// Build returns the window rules configured by c, in a stable order.
func Build(c Config) []Rule {
	return []Rule{
		KeyDisabled{},
		PendingDeletionUse{Config: c.PendingDeletion},
		DecryptSpike{Config: c.DecryptSpike},
		DecryptAnomaly{Config: c.DecryptAnomaly},
		FailedCalls{Config: c.FailedCalls},
		PolicyChange{Account: c.Account, Trusted: c.TrustedAccounts},
		UnknownCaller{Config: c.UnknownCaller},
		SecretReads{Config: c.SecretReads},
		RotationFailed{},
		Deletion{AliasInUseFor: time.Duration(c.AliasInUseFor)},
	}
}
