package table

import (
	"fmt"
	"strings"
	"time"
)

// Alarm items (owner: functions/alarms).
//
//	alarm state      pk ALARM#<resource>  sk RULE#<rule>     one per rule × resource
//	open alarms      gsi1pk ALARM#OPEN    gsi1sk <rule>#<resource>   sparse: only
//	                 while in ALARM or a notification is pending
//	usage by hour    pk USAGE#<resource>  sk HOW#<hour of week, 000–167>
//	                 the alarms function's per-5-minute rollup of usage counters for
//	                 the same hour of week across weeks (baselines, dashboards)
//
// Alarm item types (the "type" attribute).
const (
	TypeAlarmState = "alarm.state"
	TypeAlarmUsage = "alarm.usage"
)

const (
	alarmPKPrefix = "ALARM#"
	alarmSKPrefix = "RULE#"
	// AlarmOpenPK is the gsi1 partition listing alarms in ALARM (or with a
	// notification pending).
	AlarmOpenPK    = "ALARM#OPEN"
	usagePKPrefix  = "USAGE#"
	usageSKPrefix  = "HOW#"
	usageSlots     = 12 // 5-minute slots per hour
	usageSlotWidth = 5 * time.Minute
)

// AlarmItem is the stored state of one alarm (rule × resource).
type AlarmItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`
	Type   string `dynamodbav:"type"`

	Rule          string    `dynamodbav:"rule"`
	Resource      string    `dynamodbav:"resource"`
	State         string    `dynamodbav:"state"`
	Severity      string    `dynamodbav:"severity"`
	Reason        string    `dynamodbav:"reason"`
	Since         time.Time `dynamodbav:"since"`
	LastEvaluated time.Time `dynamodbav:"lastEvaluated"`
	WindowStart   time.Time `dynamodbav:"windowStart"`
	WindowEnd     time.Time `dynamodbav:"windowEnd"`
	LastNotified  time.Time `dynamodbav:"lastNotified"`
	NotifyPending string    `dynamodbav:"notifyPending,omitempty"` // notification kind still to send
	Evidence      string    `dynamodbav:"evidence,omitempty"`      // JSON of rules.Evidence
}

// AlarmKey returns the primary key of the alarm of rule on resource.
func AlarmKey(rule, resource string) (pk, sk string) {
	return alarmPKPrefix + resource, alarmSKPrefix + rule
}

// AlarmOpenSK is the gsi1 sort key of an open alarm.
func AlarmOpenSK(rule, resource string) string { return rule + "#" + resource }

// SetKeys fills the item's keys and type; open says whether it belongs in the
// open index.
func (a *AlarmItem) SetKeys(open bool) {
	a.Type = TypeAlarmState
	a.PK, a.SK = AlarmKey(a.Rule, a.Resource)
	a.GSI1PK, a.GSI1SK = "", ""
	if open {
		a.GSI1PK, a.GSI1SK = AlarmOpenPK, AlarmOpenSK(a.Rule, a.Resource)
	}
}

// UsageHourItem holds one resource's usage for one hour of week, per week (the
// Monday 00:00 UTC date, "2006-01-02"), per operation, in 5-minute slots.
type UsageHourItem struct {
	PK    string                        `dynamodbav:"pk"`
	SK    string                        `dynamodbav:"sk"`
	Type  string                        `dynamodbav:"type"`
	TTL   int64                         `dynamodbav:"ttl"` // refreshed on write: UsageHourTTL
	Weeks map[string]map[string][]int64 `dynamodbav:"weeks"`
}

// UsageHourTTL keeps a usage item this long after its last write (the baseline
// weeks plus one), so resources that go quiet leave nothing behind.
const UsageHourTTL = 6 * 7 * 24 * time.Hour

// UsageHourKey returns the key of resource's usage item for the hour containing t.
func UsageHourKey(resource string, t time.Time) (pk, sk string) {
	return usagePKPrefix + resource, fmt.Sprintf("%s%03d", usageSKPrefix, HourOfWeek(t))
}

// HourOfWeek numbers the UTC hours of the week from Monday 00:00 (0) to 167.
func HourOfWeek(t time.Time) int {
	t = t.UTC()
	return (int(t.Weekday())+6)%7*24 + t.Hour()
}

// WeekOf returns the Monday (UTC) of t's week as "2006-01-02".
func WeekOf(t time.Time) string {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// UsageSlot returns the 5-minute slot of t within its hour (0–11).
func UsageSlot(t time.Time) int { return t.UTC().Minute() / int(usageSlotWidth/time.Minute) }

// UsageSlots is the number of slots per hour.
const UsageSlots = usageSlots

// ResourceOfUsagePK returns the resource of a usage item's pk.
func ResourceOfUsagePK(pk string) string { return strings.TrimPrefix(pk, usagePKPrefix) }
