package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
)

type expect struct {
	rule, resource string
	state          rules.State // "" means never stored (quiet)
	severity       rules.Severity
}

const ownOnlyPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

func min_(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// history makes keyA/secretA known for 30 days: app-role from 10.0.12.0/24.
func history(e *env) {
	e.ingest(
		load(e.t, "eventbridge-kms-decrypt").at(t0.AddDate(0, 0, -30), "h1").by(appRole, "10.0.12.34"),
		load(e.t, "eventbridge-kms-decrypt").at(t0.AddDate(0, 0, -30), "h2").by(appRole, "10.0.12.34").on(keyB),
		load(e.t, "eventbridge-secretsmanager-getsecretvalue").at(t0.AddDate(0, 0, -30), "h3").by(appRole, "10.0.12.34"),
	)
}

func TestEveryRuleFiresAndStaysQuiet(t *testing.T) {
	tests := []struct {
		name   string
		config func(*rules.Config)
		seed   func(e *env)
		want   []expect
	}{
		{name: "1 key disabled / scheduled for deletion", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-kms-disablekey").at(min_(1), "d1"),
				load(e.t, "eventbridge-kms-disablekey").at(min_(1), "d2").on(keyB),
				load(e.t, "eventbridge-kms-enablekey").at(min_(2), "d3").on(keyB))
		}, want: []expect{
			{"key-disabled", keyA, rules.StateAlarm, rules.SeverityHigh},
			{"key-disabled", keyB, "", ""}, // re-enabled within the window: quiet
		}},
		{name: "1b schedule deletion fires, cancelled stays quiet", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-kms-schedulekeydeletion").at(min_(1), "s1"),
				load(e.t, "eventbridge-kms-schedulekeydeletion").at(min_(1), "s2").on(keyB),
				load(e.t, "eventbridge-kms-cancelkeydeletion").at(min_(3), "s3").on(keyB))
		}, want: []expect{
			{"key-disabled", keyA, rules.StateAlarm, rules.SeverityHigh},
			{"key-disabled", keyB, "", ""},
		}},
		{name: "2 use of a key pending deletion is critical", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-kms-error-pendingdeletion").at(min_(1), "p1"),
				load(e.t, "eventbridge-kms-error-pendingdeletion").at(min_(1), "p2").on(keyB).
					set("errorMessage", keyB+" is disabled."))
		}, want: []expect{
			{"key-pending-deletion-use", keyA, rules.StateAlarm, rules.SeverityCritical},
			{"key-pending-deletion-use", keyB, "", ""},
		}},
		{name: "3 decrypt spike above 10,000 in 5 minutes", seed: func(e *env) {
			e.ingest(many(10_001, func(i int) fixture {
				return load(e.t, "eventbridge-kms-decrypt").at(min_(i%5), fmt.Sprintf("a%d", i))
			})...)
			e.ingest(many(10_000, func(i int) fixture {
				return load(e.t, "eventbridge-kms-decrypt").at(min_(i%5), fmt.Sprintf("b%d", i)).on(keyB)
			})...)
		}, want: []expect{
			{"decrypt-spike", keyA, rules.StateAlarm, rules.SeverityHigh},
			{"decrypt-spike", keyB, "", ""},
			// no history: the baseline rule is warming up, never ALARM
			{"decrypt-anomaly", keyA, rules.StateInsufficientData, rules.SeverityMedium},
		}},
		{name: "4 failed crypto calls per key and per principal", seed: func(e *env) {
			e.ingest(many(21, func(i int) fixture {
				return load(e.t, "eventbridge-kms-error-invalidciphertext").at(min_(i%5), fmt.Sprintf("f%d", i)).
					param("keyId", keyA).on(keyA)
			})...)
			e.ingest(many(5, func(i int) fixture {
				return load(e.t, "eventbridge-kms-error-accessdenied").at(min_(i%5), fmt.Sprintf("g%d", i)).on(keyB).
					by("arn:aws:iam::111122223333:role/other", "10.0.12.9")
			})...)
		}, want: []expect{
			{"failed-crypto-calls", keyA, rules.StateAlarm, rules.SeverityHigh},
			{"failed-crypto-calls", appRole, rules.StateAlarm, rules.SeverityHigh},
			{"failed-crypto-calls", keyB, "", ""},
			{"failed-crypto-calls", "arn:aws:iam::111122223333:role/other", "", ""},
		}},
		{name: "5 policy and grant changes, critical outside the account", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-kms-creategrant").at(min_(1), "c1"), // grantee 444455556666
				load(e.t, "eventbridge-kms-putkeypolicy").at(min_(1), "c2").on(keyB).param("policy", ownOnlyPolicy),
				load(e.t, "eventbridge-secretsmanager-putresourcepolicy").at(min_(2), "c3")) // Principal AWS "*"
		}, want: []expect{
			{"policy-change", keyA, rules.StateAlarm, rules.SeverityCritical},
			{"policy-change", keyB, rules.StateAlarm, rules.SeverityMedium},
			{"policy-change", secretA, rules.StateAlarm, rules.SeverityCritical},
		}},
		{name: "5b refused policy change stays quiet", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-kms-putkeypolicy").at(min_(1), "c2").
				set("errorCode", "AccessDeniedException").set("errorMessage", "not authorized"))
		}, want: []expect{{"policy-change", keyA, "", ""}}},
		{name: "6 unknown caller; allow-listed service principal quiet", seed: func(e *env) {
			history(e)
			e.ingest(load(e.t, "eventbridge-kms-decrypt").at(min_(1), "u1").by(appRole, "10.0.12.34"),
				load(e.t, "eventbridge-kms-decrypt-invokedby-secretsmanager").at(min_(1), "u2").on(keyB),
				load(e.t, "eventbridge-secretsmanager-getsecretvalue").at(min_(2), "u3").
					by("arn:aws:iam::444455556666:role/intruder", "203.0.113.77"))
		}, want: []expect{
			{"unknown-caller", keyA, "", ""},
			{"unknown-caller", keyB, "", ""},
			{"unknown-caller", secretA, rules.StateAlarm, rules.SeverityHigh},
		}},
		{name: "6b new caller on a resource still learning stays quiet", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-kms-decrypt").at(t0.Add(-time.Hour), "l1").by(appRole, "10.0.12.34"),
				load(e.t, "eventbridge-kms-decrypt").at(min_(1), "l2").by("arn:aws:iam::444455556666:role/intruder", "203.0.113.77"))
		}, want: []expect{{"unknown-caller", keyA, "", ""}}},
		{name: "6c call outside the allowed networks", config: func(c *rules.Config) {
			c.UnknownCaller.AllowedVPCEndpoints = []string{"vpce-0a1b2c3d"}
		}, seed: func(e *env) {
			history(e)
			e.ingest(load(e.t, "eventbridge-kms-decrypt").at(min_(1), "n1").by(appRole, "10.0.12.34"))
		}, want: []expect{{"unknown-caller", keyA, rules.StateAlarm, rules.SeverityHigh}}},
		{name: "8 rotation failed; succeeded later stays quiet", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-secretsmanager-rotationfailed").at(min_(1), "r1"),
				load(e.t, "eventbridge-secretsmanager-rotationfailed").at(min_(1), "r2").
					set("additionalEventData", map[string]any{"SecretId": secretA + "-other"}),
				load(e.t, "eventbridge-secretsmanager-rotationsucceeded").at(min_(3), "r3").
					set("additionalEventData", map[string]any{"SecretId": secretA + "-other"}))
		}, want: []expect{
			{"rotation-failed", secretA, rules.StateAlarm, rules.SeverityHigh},
			{"rotation-failed", secretA + "-other", "", ""},
		}},
		{name: "9 secret deleted, alias in use deleted; unused alias quiet", seed: func(e *env) {
			e.ingest(load(e.t, "eventbridge-kms-decrypt").at(t0.Add(-time.Hour), "x0"))
			e.ingest(load(e.t, "eventbridge-secretsmanager-deletesecret").at(min_(1), "x1"),
				load(e.t, "eventbridge-kms-updatealias").at(min_(1), "x2").set("eventName", "DeleteAlias").
					set("resources", []any{map[string]any{"ARN": "arn:aws:kms:us-east-1:111122223333:alias/keyward-prod"}, map[string]any{"ARN": keyA}}),
				load(e.t, "eventbridge-kms-updatealias").at(min_(1), "x3").set("eventName", "DeleteAlias").
					param("aliasName", "alias/unused").
					set("resources", []any{map[string]any{"ARN": "arn:aws:kms:us-east-1:111122223333:alias/unused"}, map[string]any{"ARN": keyB}}))
		}, want: []expect{
			{"deletion", secretA, rules.StateAlarm, rules.SeverityHigh},
			{"deletion", "alias/keyward-prod", rules.StateAlarm, rules.SeverityHigh},
			{"deletion", "alias/unused", "", ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.config)
			tc.seed(e)
			res := e.evaluate(win, win.End)
			sent := map[alarmstate.Key]alarmstate.Message{}
			for _, m := range e.sent.take() {
				sent[alarmstate.Key{Rule: m.Rule, Resource: m.Resource}] = m
			}
			for _, w := range tc.want {
				a := e.state(w.rule, w.resource)
				if a.State != w.state || (w.severity != "" && a.Severity != w.severity) {
					t.Errorf("%s on %s: state %q/%q, want %q/%q (%s)", w.rule, w.resource, a.State, a.Severity, w.state, w.severity, a.Reason)
				}
				m, notified := sent[alarmstate.Key{Rule: w.rule, Resource: w.resource}]
				if notified != (w.state == rules.StateAlarm) {
					t.Errorf("%s on %s: notified %v, want %v", w.rule, w.resource, notified, w.state == rules.StateAlarm)
				}
				if notified && (m.Kind != alarmstate.KindAlarm || m.Runbook == "" || m.Window.End != win.End || m.Reason == "") {
					t.Errorf("%s on %s: message %+v", w.rule, w.resource, m)
				}
			}
			if res.WindowEnd != win.End {
				t.Errorf("result window %v", res.WindowEnd)
			}
		})
	}
}
