package table

import (
	"hash/fnv"
	"strconv"
	"time"
)

// Audit item types (the "type" attribute of every audit item).
const (
	TypeAuditEvent    = "audit.event"    // one stored CloudTrail record (per resource copy)
	TypeAuditCounter  = "audit.counter"  // calls per bucket × operation × outcome (× shard)
	TypeAuditUsage    = "audit.usage"    // calls per minute × operation × outcome × principal × network
	TypeAuditSeen     = "audit.seen"     // first time a principal / network / the resource itself was seen
	TypeAuditLastUse  = "audit.lastuse"  // latest call of one operation on a resource
	TypeAuditActivity = "audit.activity" // a resource had calls in an hour (minutes and operations)
	TypeAuditMarker   = "audit.marker"   // idempotency marker of one applied counter chunk
)

// Time layouts used inside keys. Fixed width so that string order is time order.
const (
	AuditEventTimeLayout = "2006-01-02T15:04:05.000Z"
	AuditMinuteLayout    = "2006-01-02T15:04Z"
	AuditHourLayout      = "2006-01-02T15Z"
	AuditDayLayout       = "2006-01-02"
)

// AuditActivityShards is the number of partitions the per-hour activity index is
// spread over (writers pick hash(resource) % shards; readers query all of them).
const AuditActivityShards = 8

// Granularity prefixes of counter sort keys.
const (
	AuditGranMinute = "m"
	AuditGranHour   = "h"
)

// Seen kinds (the first segment of an audit.seen sort key).
const (
	AuditSeenResource  = "r"
	AuditSeenPrincipal = "p"
	AuditSeenNetwork   = "n"
)

// AuditEventPK is the partition of a resource's events, counters, usage and
// first-seen items' siblings: "ares#<resource>".
func AuditEventPK(resource string) string { return "ares#" + resource }

// AuditEventSK orders a resource's events by time: "ev#<time>#<eventID>".
func AuditEventSK(t time.Time, eventID string) string {
	return "ev#" + t.UTC().Format(AuditEventTimeLayout) + "#" + eventID
}

// AuditEventRangeSK bounds an events query: from inclusive, to exclusive.
func AuditEventRangeSK(from, to time.Time) (lo, hi string) {
	return "ev#" + from.UTC().Format(AuditEventTimeLayout), "ev#" + to.UTC().Format(AuditEventTimeLayout)
}

// AuditPrincipalGSI1PK partitions events by principal key and UTC day (gsi1).
func AuditPrincipalGSI1PK(principal string, day time.Time) string {
	return "aprn#" + principal + "#" + day.UTC().Format(AuditDayLayout)
}

// AuditNameGSI2PK partitions events by "<service>:<eventName>" and UTC day (gsi2),
// e.g. "kms:ScheduleKeyDeletion".
func AuditNameGSI2PK(service, name string, day time.Time) string {
	return "aname#" + service + ":" + name + "#" + day.UTC().Format(AuditDayLayout)
}

// AuditEventGSISK is the sort key of both event GSIs: "<time>#<eventID>" (only
// the first copy of a multi-resource event carries GSI attributes).
func AuditEventGSISK(t time.Time, eventID string) string {
	return t.UTC().Format(AuditEventTimeLayout) + "#" + eventID
}

// AuditEventGSIRange bounds a GSI events query: from inclusive, to exclusive.
func AuditEventGSIRange(from, to time.Time) (lo, hi string) {
	return from.UTC().Format(AuditEventTimeLayout), to.UTC().Format(AuditEventTimeLayout)
}

// AuditResourceCounterPK holds a resource's counters and usage items.
func AuditResourceCounterPK(resource string) string { return "acnt#r#" + resource }

// AuditPrincipalCounterPK holds a principal's counters.
func AuditPrincipalCounterPK(principal string) string { return "acnt#p#" + principal }

// AuditCounterSK is "<gran>#<bucket>#<operation>#<outcome>#<shard>"; bucket is
// the minute or hour (AuditMinuteLayout / AuditHourLayout).
func AuditCounterSK(gran string, bucket time.Time, op, outcome string, shard int) string {
	return gran + "#" + AuditBucket(gran, bucket) + "#" + op + "#" + outcome + "#" + strconv.Itoa(shard)
}

// AuditCounterRange bounds a counter query of one granularity: [from, to).
func AuditCounterRange(gran string, from, to time.Time) (lo, hi string) {
	return gran + "#" + AuditBucket(gran, from), gran + "#" + AuditBucket(gran, to)
}

// AuditBucket formats t truncated to the granularity.
func AuditBucket(gran string, t time.Time) string {
	if gran == AuditGranHour {
		return t.UTC().Format(AuditHourLayout)
	}
	return t.UTC().Format(AuditMinuteLayout)
}

// AuditUsageSK is "u#<minute>#<op>#<outcome>#<principal>#<network>#<shard>" under
// the resource counter partition.
func AuditUsageSK(minute time.Time, op, outcome, principal, network string, shard int) string {
	return "u#" + minute.UTC().Format(AuditMinuteLayout) + "#" + op + "#" + outcome + "#" +
		principal + "#" + network + "#" + strconv.Itoa(shard)
}

// AuditUsageWindowGSI2PK partitions usage items by minute and writer shard on
// gsi2 (sort key: resource ‖ usage sort key), so one evaluation window reads the
// usage of every resource in minutes × shards Queries, not one Query per resource.
func AuditUsageWindowGSI2PK(minute time.Time, shard int) string {
	return "ausewin#" + minute.UTC().Format(AuditMinuteLayout) + "#" + strconv.Itoa(shard)
}

// AuditUsageRange bounds a usage query: [from, to) by minute.
func AuditUsageRange(from, to time.Time) (lo, hi string) {
	return "u#" + from.UTC().Format(AuditMinuteLayout), "u#" + to.UTC().Format(AuditMinuteLayout)
}

// AuditSeenPK holds a resource's first-seen and last-use items.
func AuditSeenPK(resource string) string { return "aseen#" + resource }

// AuditSeenSK is "<kind>#<value>" (kind AuditSeenPrincipal / AuditSeenNetwork;
// the resource's own item has kind AuditSeenResource and an empty value).
func AuditSeenSK(kind, value string) string { return kind + "#" + value }

// AuditLastUseSK is "l#<operation>#<outcome class>" (class "ok" or "error").
func AuditLastUseSK(op, class string) string { return "l#" + op + "#" + class }

// AuditActivityPK is "aact#<hour>#<shard>"; the shard is AuditActivityShard(resource).
func AuditActivityPK(hour time.Time, shard int) string {
	return "aact#" + hour.UTC().Format(AuditHourLayout) + "#" + strconv.Itoa(shard)
}

// AuditActivityShard spreads resources over AuditActivityShards partitions.
func AuditActivityShard(resource string) int {
	h := fnv.New32a()
	h.Write([]byte(resource))
	return int(h.Sum32() % AuditActivityShards)
}

// AuditMarkerPK / AuditMarkerSK name the idempotency marker of one chunk of
// counter increments of one delivery unit (an EventBridge event or a log file).
func AuditMarkerPK(unit string) string { return "idem#audit#" + unit }

// AuditMarkerSK is "chunk#<i>/<n>".
func AuditMarkerSK(i, n int) string { return "chunk#" + strconv.Itoa(i) + "/" + strconv.Itoa(n) }

// AuditEvent is one CloudTrail record stored individually (control-plane events,
// failures, unknown events). A record naming several resources is stored once per
// resource; only the first copy carries the GSI attributes so that principal and
// event-name queries see it once.
type AuditEvent struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
	TTL    int64  `dynamodbav:"ttl,omitempty"`
	Type   string `dynamodbav:"type"`

	Resource  string   `dynamodbav:"resource"`            // the resource this copy is filed under
	Resources []string `dynamodbav:"resources,omitempty"` // every resource of the record

	EventID         string            `dynamodbav:"eventId"`
	EventTime       string            `dynamodbav:"eventTime"` // RFC 3339, UTC
	EventSource     string            `dynamodbav:"eventSource"`
	EventName       string            `dynamodbav:"eventName"`
	EventType       string            `dynamodbav:"eventType,omitempty"`
	Kind            string            `dynamodbav:"kind"` // control, data, service, unknown
	Region          string            `dynamodbav:"region,omitempty"`
	Account         string            `dynamodbav:"account,omitempty"` // recipientAccountId
	Principal       string            `dynamodbav:"principal"`         // aggregation key (role ARN for sessions)
	PrincipalARN    string            `dynamodbav:"principalArn,omitempty"`
	PrincipalType   string            `dynamodbav:"principalType,omitempty"`
	PrincipalAcct   string            `dynamodbav:"principalAccount,omitempty"`
	InvokedBy       string            `dynamodbav:"invokedBy,omitempty"`
	SessionIssuer   string            `dynamodbav:"sessionIssuer,omitempty"`
	SourceIP        string            `dynamodbav:"sourceIp,omitempty"`
	Network         string            `dynamodbav:"network,omitempty"`
	UserAgent       string            `dynamodbav:"userAgent,omitempty"`
	VPCEndpointID   string            `dynamodbav:"vpcEndpointId,omitempty"`
	ErrorCode       string            `dynamodbav:"errorCode,omitempty"`
	ErrorMessage    string            `dynamodbav:"errorMessage,omitempty"`
	ReadOnly        bool              `dynamodbav:"readOnly"`
	ManagementEvent bool              `dynamodbav:"managementEvent"`
	Category        string            `dynamodbav:"category,omitempty"` // Management or Data
	Context         map[string]string `dynamodbav:"context,omitempty"`  // encryption-context key → HMAC of value
	RequestParams   string            `dynamodbav:"requestParameters,omitempty"`
	ResponseElems   string            `dynamodbav:"responseElements,omitempty"`
	AdditionalData  string            `dynamodbav:"additionalEventData,omitempty"`
	ServiceDetails  string            `dynamodbav:"serviceEventDetails,omitempty"`
}

// AuditCounter counts calls of one operation with one outcome ("ok" or the error
// code) on one resource or by one principal in one minute or hour bucket. Counters
// are sharded (Shard) so that concurrent writers never share one hot item; readers
// sum the shards.
type AuditCounter struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	TTL       int64  `dynamodbav:"ttl,omitempty"`
	Type      string `dynamodbav:"type"`
	Subject   string `dynamodbav:"subject"` // resource or principal
	Gran      string `dynamodbav:"gran"`
	Bucket    string `dynamodbav:"bucket"`
	Operation string `dynamodbav:"op"`
	Outcome   string `dynamodbav:"outcome"`
	Shard     int    `dynamodbav:"shard"`
	N         int64  `dynamodbav:"n"`
}

// AuditSample is one raw call kept as evidence in an AuditUsage item.
type AuditSample struct {
	EventID       string `dynamodbav:"eventId"`
	EventTime     string `dynamodbav:"eventTime"`
	SourceIP      string `dynamodbav:"sourceIp,omitempty"`
	UserAgent     string `dynamodbav:"userAgent,omitempty"`
	VPCEndpointID string `dynamodbav:"vpcEndpointId,omitempty"`
	PrincipalARN  string `dynamodbav:"principalArn,omitempty"`
	ErrorCode     string `dynamodbav:"errorCode,omitempty"`
}

// AuditUsage counts calls per resource × minute × operation × outcome × principal
// × source network, with the first few calls as a bounded sample.
type AuditUsage struct {
	PK        string        `dynamodbav:"pk"`
	SK        string        `dynamodbav:"sk"`
	TTL       int64         `dynamodbav:"ttl,omitempty"`
	Type      string        `dynamodbav:"type"`
	Resource  string        `dynamodbav:"resource"`
	Minute    string        `dynamodbav:"minute"`
	Operation string        `dynamodbav:"op"`
	Outcome   string        `dynamodbav:"outcome"`
	Principal string        `dynamodbav:"principal"`
	Network   string        `dynamodbav:"network"`
	Shard     int           `dynamodbav:"shard"`
	N         int64         `dynamodbav:"n"`
	Samples   []AuditSample `dynamodbav:"samples,omitempty"`
	GSI2PK    string        `dynamodbav:"gsi2pk,omitempty"` // AuditUsageWindowGSI2PK
	GSI2SK    string        `dynamodbav:"gsi2sk,omitempty"` // resource ‖ "#" ‖ SK
}

// AuditSeen records the first call of a principal or from a source network on a
// resource (or, for kind AuditSeenResource, of the resource at all). FirstSeen
// only ever moves earlier (conditional write).
type AuditSeen struct {
	PK           string `dynamodbav:"pk"`
	SK           string `dynamodbav:"sk"`
	Type         string `dynamodbav:"type"`
	Resource     string `dynamodbav:"resource"`
	Kind         string `dynamodbav:"kind"`
	Value        string `dynamodbav:"value"`
	FirstSeen    string `dynamodbav:"firstSeen"` // RFC 3339, UTC
	FirstEventID string `dynamodbav:"firstEventId"`
}

// AuditLastUse is the latest call of one operation on a resource, split by outcome
// class. LastTime only ever moves later (conditional write).
type AuditLastUse struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Type      string `dynamodbav:"type"`
	Resource  string `dynamodbav:"resource"`
	Operation string `dynamodbav:"op"`
	Class     string `dynamodbav:"class"` // ok or error
	LastTime  string `dynamodbav:"lastTime"`
	EventID   string `dynamodbav:"eventId"`
	Principal string `dynamodbav:"principal"`
	ARN       string `dynamodbav:"principalArn,omitempty"`
	Network   string `dynamodbav:"network,omitempty"`
	ErrorCode string `dynamodbav:"errorCode,omitempty"`
}

// AuditActivity says a resource had calls in an hour: the minutes ("15:04") and
// operations are string sets grown with ADD, so rewriting is idempotent.
type AuditActivity struct {
	PK         string   `dynamodbav:"pk"`
	SK         string   `dynamodbav:"sk"` // the resource
	TTL        int64    `dynamodbav:"ttl,omitempty"`
	Type       string   `dynamodbav:"type"`
	Hour       string   `dynamodbav:"hour"`
	Minutes    []string `dynamodbav:"minutes,stringset,omitempty"`
	Operations []string `dynamodbav:"ops,stringset,omitempty"`
	Failures   []string `dynamodbav:"failedOps,stringset,omitempty"`
}

// AuditMarker records that one chunk of a delivery unit's counter increments was
// applied (written in the same transaction as the increments).
type AuditMarker struct {
	PK      string `dynamodbav:"pk"`
	SK      string `dynamodbav:"sk"`
	TTL     int64  `dynamodbav:"ttl"`
	Type    string `dynamodbav:"type"`
	Applied string `dynamodbav:"applied"`
	Items   int    `dynamodbav:"items"`
}
