package rules

import "time"

// State is an alarm state, spelled as CloudWatch spells it.
type State string

// Alarm states.
const (
	StateOK               State = "OK"
	StateAlarm            State = "ALARM"
	StateInsufficientData State = "INSUFFICIENT_DATA"
)

// Severity orders how urgently a human must look.
type Severity string

// Severities, most urgent first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Severities lists every severity (for metrics dimensions).
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

// Mode says how an open alarm ends.
type Mode int

const (
	// Windowed alarms resolve when a later evaluation of the rule no longer fires
	// for the resource (like a CloudWatch alarm on a metric).
	Windowed Mode = iota
	// Latched alarms stay until the rule returns an explicit OK finding for the
	// resource (e.g. EnableKey after DisableKey, CancelKeyDeletion).
	Latched
)

// Meta describes a rule for humans and for routing.
type Meta struct {
	ID       string   // stable identifier, e.g. "key-disabled"
	Title    string   // short human title
	Severity Severity // default severity of its findings
	Controls []string // CIS / Security Hub controls it maps to
	Runbook  string   // first thing to check
	Mode     Mode
}

// Rule is one security rule. Evaluate is pure: same snapshot, same findings.
type Rule interface {
	Meta() Meta
	Evaluate(s *Snapshot) []Finding
}

// Finding is a rule's verdict on one resource for one window.
type Finding struct {
	Rule     string
	Resource string // key ARN, secret ARN, alias ARN or principal
	State    State
	Severity Severity
	Reason   string // one line a human can triage
	Evidence Evidence
}

// Evidence is what made a rule fire: counts, sample event ids, principals.
type Evidence struct {
	Count      int64             `json:"count,omitempty"`
	Threshold  float64           `json:"threshold,omitempty"`
	Baseline   float64           `json:"baseline,omitempty"`
	EventIDs   []string          `json:"eventIds,omitempty"`
	Principals []string          `json:"principals,omitempty"`
	Sources    []string          `json:"sources,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
	First      time.Time         `json:"first,omitzero"`
	Last       time.Time         `json:"last,omitzero"`
}

// maxSamples bounds the event ids and principals carried as evidence.
const maxSamples = 5
