package rules

import "time"

// Snapshot is everything the rules see for one evaluation window [Start, End).
type Snapshot struct {
	Start, End time.Time

	// Events are individually stored audit events in the window: control-plane
	// calls, service events and failed calls (never scanned: read by name/index).
	Events []Event
	// Usage are the audit counters summed over the window, one row per resource ×
	// operation × outcome × principal × source; they cover every call (successes,
	// failures and control-plane calls alike).
	Usage []Usage
	// Hourly holds, per resource and operation, the count so far in the current
	// hour and the same hour of week in earlier weeks (for baseline rules).
	Hourly map[ResourceOp]HourlyUsage
	// FirstSeen holds when a caller was first seen on a resource (absent: never).
	FirstSeen map[Caller]time.Time
	// LastUse holds the last successful use of an alias or resource before the
	// window (for "DeleteAlias of an alias in use").
	LastUse map[string]time.Time
	// Ledger are rotation ledger entries that failed in the window.
	Ledger []LedgerEntry
}

// Event is one audit event as the rules need it (no secret material).
type Event struct {
	ID           string
	Time         time.Time
	Source       string // kms.amazonaws.com, secretsmanager.amazonaws.com
	Name         string // eventName
	Resources    []string
	Principal    string // principal ARN
	Account      string // principal account
	InvokedBy    string // AWS service that made the call on the principal's behalf
	SourceIP     string // sourceIPAddress (may be a service host name)
	VPCEndpoint  string
	Network      string // source network key (see Usage.Source)
	ErrorCode    string
	ErrorMessage string
	// Policy is the policy document of PutKeyPolicy / PutResourcePolicy / CreateKey.
	Policy string
	// Grantee is the grantee principal of CreateGrant.
	Grantee string
	// Alias is the alias name of alias operations (alias/…).
	Alias string
}

// Resource returns the event's first resource (the key or secret it acted on).
func (e Event) Resource() string {
	if len(e.Resources) == 0 {
		return ""
	}
	return e.Resources[0]
}

// Usage is one counter row summed over the window.
type Usage struct {
	Resource  string
	Operation string
	Outcome   string // "" on success, else the errorCode
	Principal string
	// Source is the caller's network as the audit store keys it: "vpce:<id>",
	// "svc:<AWS service host>", "ip4:a.b.c.0/24", "ip6:<prefix>/48" (raw IPs,
	// "vpce-…" ids and service hosts are understood too).
	Source    string
	InvokedBy string
	Count     int64
	SampleIDs []string // a few event ids of these calls
}

// ResourceOp names a per-resource, per-operation series.
type ResourceOp struct{ Resource, Operation string }

// HourlyUsage is the hour-to-date count and the same hour of week in the
// previous weeks that have data (most recent first).
type HourlyUsage struct {
	Current   int64
	PastWeeks []int64
}

// Caller identifies a principal or source network seen on a resource.
type Caller struct {
	Resource string
	Kind     string // CallerPrincipal or CallerSource
	Value    string
}

// Caller kinds.
const (
	CallerPrincipal = "principal"
	CallerSource    = "source"
)

// LedgerEntry is a rotation ledger record (written by the rotation function).
type LedgerEntry struct {
	SecretARN  string
	Token      string
	Step       string
	Outcome    string // "success" or "failure"
	ErrorClass string
	Time       time.Time
}

// CallerResource is the Caller kind whose FirstSeen is the resource's own first
// activity (Value empty): the start of its learning period.
const CallerResource = "resource"
