package posture

import (
	"strconv"
	"time"

	"github.com/keyward/keyward/shared/rules"
)

// Rule ids of the posture checks.
const (
	RuleRotationDisabled    = "rotation-disabled"
	RuleRotationOverdue     = "rotation-overdue"
	RuleSecretUnused        = "secret-unused"
	RuleKeyRotationDisabled = "key-rotation-disabled"
	RuleKeyPendingDeletion  = "key-pending-deletion"
)

// Config holds the posture thresholds.
type Config struct {
	// Grace is added to a secret's rotation schedule before it counts as overdue.
	Grace time.Duration
	// MaxAge is the longest a secret may go unrotated when it has no schedule
	// (Security Hub's SecretsManager.4 default: 90 days).
	MaxAge time.Duration
	// Unused is how long without access makes a secret unused (SecretsManager.3).
	Unused time.Duration
}

// DefaultConfig: one day of grace, 90 days max age and unused.
func DefaultConfig() Config {
	return Config{Grace: 24 * time.Hour, MaxAge: 90 * 24 * time.Hour, Unused: 90 * 24 * time.Hour}
}

// Metas describes the posture rules (all Windowed: a resource that disappears
// from the listing resolves).
func Metas() map[string]rules.Meta {
	ms := []rules.Meta{
		{ID: RuleRotationDisabled, Title: "Secret without automatic rotation", Severity: rules.SeverityMedium,
			Controls: []string{"SecretsManager.1"},
			Runbook:  "Attach a rotation function (keyward's rotation function) and a RotationSchedule."},
		{ID: RuleRotationOverdue, Title: "Secret rotation overdue", Severity: rules.SeverityHigh,
			Controls: []string{"SecretsManager.4"},
			Runbook:  "Check the rotation function's logs and ledger; RotateSecret once the cause is fixed."},
		{ID: RuleSecretUnused, Title: "Secret unused for 90 days", Severity: rules.SeverityLow,
			Controls: []string{"SecretsManager.3"},
			Runbook:  "Confirm with the owner and delete the secret (with a recovery window) if nothing needs it."},
		{ID: RuleKeyRotationDisabled, Title: "Customer managed key without rotation", Severity: rules.SeverityMedium,
			Controls: []string{"KMS.4"},
			Runbook:  "EnableKeyRotation on the key (symmetric, AWS_KMS origin)."},
		{ID: RuleKeyPendingDeletion, Title: "KMS key pending deletion", Severity: rules.SeverityHigh,
			Controls: []string{"KMS.3"},
			Runbook:  "Make sure nothing still uses the key (see key-pending-deletion-use) or CancelKeyDeletion."},
	}
	out := make(map[string]rules.Meta, len(ms))
	for _, m := range ms {
		out[m.ID] = m
	}
	return out
}

// SecretFacts are what the checks need of one secret (from ListSecrets).
type SecretFacts struct {
	ARN             string
	RotationEnabled bool
	RotationDays    int64 // AutomaticallyAfterDays (0: none / schedule expression)
	LastRotated     time.Time
	LastAccessed    time.Time
	Created         time.Time
	NextRotation    time.Time
}

// KeyFacts are what the checks need of one KMS key.
type KeyFacts struct {
	ARN             string
	CustomerManaged bool
	Symmetric       bool
	AWSOrigin       bool
	State           string // Enabled, Disabled, PendingDeletion, …
	DeletionDate    time.Time
	RotationEnabled bool
}

func finding(rule, res string, alarm bool, sev rules.Severity, reason string, ev rules.Evidence) rules.Finding {
	st := rules.StateOK
	if alarm {
		st = rules.StateAlarm
	}
	return rules.Finding{Rule: rule, Resource: res, State: st, Severity: sev, Reason: reason, Evidence: ev}
}

// CheckSecret evaluates the secret checks at now.
func (c Config) CheckSecret(s SecretFacts, now time.Time) []rules.Finding {
	day := 24 * time.Hour
	var out []rules.Finding
	out = append(out, finding(RuleRotationDisabled, s.ARN, !s.RotationEnabled, rules.SeverityMedium,
		map[bool]string{true: "automatic rotation is disabled", false: "automatic rotation is enabled"}[!s.RotationEnabled],
		rules.Evidence{}))

	last := s.LastRotated
	if last.IsZero() {
		last = s.Created
	}
	limit := c.MaxAge
	if s.RotationEnabled && s.RotationDays > 0 {
		limit = time.Duration(s.RotationDays) * day
	}
	age := now.Sub(last)
	overdue := !last.IsZero() && age > limit+c.Grace
	if s.RotationEnabled && !s.NextRotation.IsZero() && now.Sub(s.NextRotation) > c.Grace {
		overdue = true
	}
	ev := rules.Evidence{Details: map[string]string{"lastRotated": fmtDate(last), "limitDays": itoa(int64(limit / day))}}
	out = append(out, finding(RuleRotationOverdue, s.ARN, overdue, rules.SeverityHigh,
		"last rotated "+itoa(int64(age/day))+" days ago (limit "+itoa(int64(limit/day))+" days + grace)", ev))

	used := s.LastAccessed
	if used.IsZero() {
		used = s.Created
	}
	unused := !used.IsZero() && now.Sub(used) > c.Unused
	out = append(out, finding(RuleSecretUnused, s.ARN, unused, rules.SeverityLow,
		"last accessed "+fmtDate(s.LastAccessed),
		rules.Evidence{Details: map[string]string{"lastAccessed": fmtDate(s.LastAccessed)}}))
	return out
}

// CheckKey evaluates the key checks; AWS managed keys are not judged.
func (c Config) CheckKey(k KeyFacts) []rules.Finding {
	if !k.CustomerManaged {
		return nil
	}
	pending := k.State == "PendingDeletion" || k.State == "PendingReplicaDeletion"
	out := []rules.Finding{finding(RuleKeyPendingDeletion, k.ARN, pending, rules.SeverityHigh,
		"key state "+k.State+deletionNote(k), rules.Evidence{Details: map[string]string{"state": k.State, "deletionDate": fmtDate(k.DeletionDate)}})}
	if k.Symmetric && k.AWSOrigin && !pending {
		out = append(out, finding(RuleKeyRotationDisabled, k.ARN, !k.RotationEnabled, rules.SeverityMedium,
			map[bool]string{true: "automatic key rotation is disabled", false: "automatic key rotation is enabled"}[!k.RotationEnabled],
			rules.Evidence{}))
	}
	return out
}

func deletionNote(k KeyFacts) string {
	if k.DeletionDate.IsZero() {
		return ""
	}
	return ", deletion on " + fmtDate(k.DeletionDate)
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.DateOnly)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
