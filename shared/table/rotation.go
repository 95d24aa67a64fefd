package table

import (
	"time"
)

// Rotation ledger access patterns:
//   - steps of one secret, newest first: Query pk = RotationPK(arn), sk begins_with "STEP#", descending;
//   - recent failures of every secret: Query gsi1 gsi1pk = RotationFailedGSI1PK, gsi1sk > since;
//   - overdue secrets: Query gsi2 gsi2pk = RotationStatusGSI2PK, gsi2sk < cutoff (last success time);
//   - one secret's status: GetItem pk = RotationPK(arn), sk = RotationStatusSK.
const (
	RotationFailedGSI1PK = "ROTATION#FAILED"
	RotationStatusGSI2PK = "ROTATION#LAST_SUCCESS"
	RotationStatusSK     = "STATUS"
	rotationStepPrefix   = "STEP#"

	// RotationEntryTTL keeps ledger steps for a year; status items do not expire.
	RotationEntryTTL = 365 * 24 * time.Hour
)

// SortableTime is the fixed-width UTC time used in sort keys.
const SortableTime = "2006-01-02T15:04:05.000000000Z"

// RotationPK is the partition of one secret's rotation items.
func RotationPK(secretARN string) string { return "ROTATION#" + secretARN }

// RotationStepSK orders a secret's steps by time.
func RotationStepSK(at time.Time, token, step string) string {
	return rotationStepPrefix + at.UTC().Format(SortableTime) + "#" + token + "#" + step
}

// RotationStepPrefix is the sk prefix of ledger steps (for begins_with).
func RotationStepPrefix() string { return rotationStepPrefix }

// RotationEntry is one executed rotation step. Failed steps are also in gsi1.
type RotationEntry struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	GSI1PK     string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK     string `dynamodbav:"gsi1sk,omitempty"`
	Type       string `dynamodbav:"type"`
	SecretARN  string `dynamodbav:"secretArn"`
	Token      string `dynamodbav:"token"`
	Step       string `dynamodbav:"step"`
	Strategy   string `dynamodbav:"strategy"`
	Outcome    string `dynamodbav:"outcome"`
	ErrorClass string `dynamodbav:"errorClass,omitempty"`
	At         string `dynamodbav:"at"`
	DurationMS int64  `dynamodbav:"durationMs"`
	TTL        int64  `dynamodbav:"ttl"`
}

// NewRotationEntry builds a ledger item with its keys.
func NewRotationEntry(secretARN, token, step, strategy, outcome, errorClass string, at time.Time, d time.Duration) RotationEntry {
	e := RotationEntry{
		PK: RotationPK(secretARN), SK: RotationStepSK(at, token, step), Type: "RotationStep",
		SecretARN: secretARN, Token: token, Step: step, Strategy: strategy, Outcome: outcome,
		ErrorClass: errorClass, At: at.UTC().Format(SortableTime), DurationMS: d.Milliseconds(),
		TTL: at.Add(RotationEntryTTL).Unix(),
	}
	if outcome == "Failed" {
		e.GSI1PK = RotationFailedGSI1PK
		e.GSI1SK = e.At + "#" + secretARN
	}
	return e
}

// RotationStatus is a secret's last successful rotation; gsi2 orders secrets by it.
type RotationStatus struct {
	PK              string `dynamodbav:"pk"`
	SK              string `dynamodbav:"sk"`
	GSI2PK          string `dynamodbav:"gsi2pk"`
	GSI2SK          string `dynamodbav:"gsi2sk"`
	Type            string `dynamodbav:"type"`
	SecretARN       string `dynamodbav:"secretArn"`
	Strategy        string `dynamodbav:"strategy"`
	LastToken       string `dynamodbav:"lastToken"`
	LastSucceededAt string `dynamodbav:"lastSucceededAt"`
}

// NewRotationStatus builds the status item written after a completed rotation.
func NewRotationStatus(secretARN, strategy, token string, at time.Time) RotationStatus {
	ts := at.UTC().Format(SortableTime)
	return RotationStatus{
		PK: RotationPK(secretARN), SK: RotationStatusSK,
		GSI2PK: RotationStatusGSI2PK, GSI2SK: ts + "#" + secretARN,
		Type: "RotationStatus", SecretARN: secretARN, Strategy: strategy, LastToken: token, LastSucceededAt: ts,
	}
}
