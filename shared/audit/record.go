package audit

import "time"

// Kind classifies a record for the scale rule.
type Kind string

const (
	// KindControl is a control-plane call (key policy, lifecycle, grants, …): stored individually.
	KindControl Kind = "control"
	// KindData is a high-volume data-plane call (Decrypt, GetSecretValue, …):
	// aggregated when it succeeds, stored individually when it fails.
	KindData Kind = "data"
	// KindService is an "AWS Service Event" (RotationSucceeded, DeleteKey by KMS, …).
	KindService Kind = "service"
	// KindUnknown is an event name keyward has no rule for; stored generically.
	KindUnknown Kind = "unknown"
)

// Principal is who made a call, from CloudTrail's userIdentity.
type Principal struct {
	Key           string // aggregation key: role ARN for sessions, invokedBy for services, else arn
	ARN           string
	Type          string // IAMUser, AssumedRole, Root, AWSService, AWSAccount, …
	AccountID     string
	PrincipalID   string
	InvokedBy     string // AWS service that made the call on the principal's behalf
	SessionIssuer string // role ARN of an assumed-role session
}

// Record is one normalised CloudTrail record. Nothing secret is kept: encryption
// context values are HMAC-hashed and secret-bearing request fields stripped.
type Record struct {
	EventID     string
	Time        time.Time
	Source      string // eventSource, e.g. kms.amazonaws.com
	Service     string // short service name: kms, secretsmanager, ssm
	Name        string // eventName
	EventType   string // AwsApiCall, AwsServiceEvent, …
	Region      string
	Account     string // recipientAccountId
	Principal   Principal
	SourceIP    string
	Network     string // source network key: vpce:…, svc:…, ip4:a.b.c.0/24, ip6:…/48
	UserAgent   string
	VPCEndpoint string

	Resources []string // resources[] ARNs, else the request's keyId/secretId/name as seen

	ErrorCode    string
	ErrorMessage string

	ReadOnly        bool
	ManagementEvent bool   // missing on old records: derived from the category
	Category        string // Management or Data (missing on old records: Management)
	Kind            Kind

	// Context maps encryption-context keys to HMAC-SHA256(value) (hex, truncated).
	Context map[string]string

	// Sanitised JSON of the request/response/additional data (secrets removed,
	// context values hashed); filled only for records stored individually.
	RequestParameters   string
	ResponseElements    string
	AdditionalEventData string
	ServiceEventDetails string
}

// Resource is the record's primary resource ("" when it names none).
func (r *Record) Resource() string {
	if len(r.Resources) == 0 {
		return ""
	}
	return r.Resources[0]
}

// Outcome is "ok" for a successful call, else the error code.
func (r *Record) Outcome() string {
	if r.ErrorCode == "" {
		return OutcomeOK
	}
	return r.ErrorCode
}

// OutcomeOK is the outcome of a successful call.
const OutcomeOK = "ok"

// Stored reports whether the scale rule stores the record individually: every
// control-plane, service and unknown event, and every failure.
func (r *Record) Stored() bool { return r.Kind != KindData || r.ErrorCode != "" }
