// Package alarmstate is the alarm state machine of keyward's alarms function: one
// alarm per rule × resource with the CloudWatch states OK / ALARM /
// INSUFFICIENT_DATA, since, last evaluated, the window and its evidence.
//
// Step is pure: given the previous alarm and a rule's finding for a window it
// returns the next alarm and the notification to send, if any. Notifications go
// out on transitions only (OK→ALARM "ALARM", ALARM→OK "RESOLVED"), when a standing
// ALARM escalates in severity, and as a "REMINDER" after the re-notify interval.
// Evaluating the same window twice changes nothing (idempotent per window).
//
// Store keeps alarms in the one table (table.AlarmItem); Notifier renders the SNS
// message: a subject a human can triage and a JSON body a machine can route.
package alarmstate
