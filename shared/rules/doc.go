// Package rules holds keyward's security alarm rules as pure logic: each rule is a
// small type with its thresholds in Config, evaluated over a Snapshot of one window
// (events, usage counters, baselines, first-seen callers) that the alarms function
// loads from the audit store. Rules never read the table themselves, so they are
// tested with plain values and a fixed clock.
//
// A rule returns Findings: ALARM for a resource that breaches, OK for a resource it
// positively resolves (e.g. EnableKey after DisableKey), INSUFFICIENT_DATA while a
// baseline is still warming up. Whether an open alarm that is absent from a later
// window resolves is the rule's Mode (Windowed resolves, Latched waits for an OK).
package rules
