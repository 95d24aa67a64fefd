package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/posture"
	"github.com/keyward/keyward/shared/rules"
)

// startEndpoint runs the local endpoint over this package's DynamoDB Local.
func startEndpoint(t *testing.T) (*endpoint.Server, aws.Config) {
	t.Helper()
	if ddbURL == "" {
		t.Skip("DynamoDB Local not running (make tools); CI=true makes this a failure")
	}
	srv := endpointtest.StartWith(t, endpoint.Options{DynamoDBURL: ddbURL})
	return srv, endpointtest.Config(srv, "")
}

type snsRecord struct {
	Topic      string                       `json:"topic"`
	Subject    string                       `json:"subject"`
	Message    string                       `json:"message"`
	Attributes map[string]map[string]string `json:"attributes"`
}

// captured reads the endpoint's captured SNS messages of topic.
func snsMessages(t *testing.T, srv *endpoint.Server, topic string) []snsRecord {
	t.Helper()
	resp, err := http.Get(srv.URL + "/_keyward/sns/messages?topic=" + url.QueryEscape(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []snsRecord
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode captured messages: %v", err)
	}
	return out
}

// Notifications go through the real SNS client to the local endpoint; the
// captured message has a triage subject, a routable JSON body and attributes.
func TestSNSMessagesThroughLocalEndpoint(t *testing.T) {
	srv, cfg := startEndpoint(t)
	ctx := context.Background()
	client := sns.NewFromConfig(cfg)
	topic, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("keyward-alarms")})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil)
	e.ev.Notifier = alarmstate.Notifier{SNS: client, TopicARN: aws.ToString(topic.TopicArn)}
	e.ingest(load(t, "eventbridge-kms-creategrant").at(min_(1), "g1"),
		load(t, "eventbridge-kms-error-pendingdeletion").at(min_(2), "p1").on(keyB))
	e.evaluate(win, win.End)

	msgs := snsMessages(t, srv, aws.ToString(topic.TopicArn))
	if len(msgs) != 2 {
		t.Fatalf("captured %d messages, want 2: %+v", len(msgs), msgs)
	}
	bySubject := map[string]snsRecord{}
	for _, m := range msgs {
		bySubject[m.Subject] = m
	}
	m, ok := bySubject["[CRITICAL] ALARM key-pending-deletion-use: key/0987dcba-09fe-87dc-65ba-ab0987654321"]
	if !ok {
		t.Fatalf("subjects %v", func() (s []string) {
			for k := range bySubject {
				s = append(s, k)
			}
			return
		}())
	}
	var body alarmstate.Message
	if err := json.Unmarshal([]byte(m.Message), &body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if body.Rule != "key-pending-deletion-use" || body.Severity != rules.SeverityCritical || body.Resource != keyB ||
		!body.Window.Start.Equal(win.Start) || !body.Window.End.Equal(win.End) || body.Runbook == "" ||
		len(body.Evidence.EventIDs) != 1 || body.Evidence.EventIDs[0] != "p1" || len(body.Controls) == 0 {
		t.Fatalf("body %+v", body)
	}
	if m.Attributes["severity"]["value"] != "critical" || m.Attributes["rule"]["value"] != "key-pending-deletion-use" {
		t.Errorf("attributes %+v", m.Attributes)
	}
	if _, ok := bySubject["[CRITICAL] ALARM policy-change: key/1234abcd-12ab-34cd-56ef-1234567890ab"]; !ok {
		t.Errorf("grant to another account not critical: %v", msgs)
	}

	// The next, quiet window resolves both: two RESOLVED messages, machine-routable.
	w2 := next(win, 1)
	e.evaluate(w2, w2.End)
	msgs = snsMessages(t, srv, aws.ToString(topic.TopicArn))
	if len(msgs) != 4 {
		t.Fatalf("captured %d messages after resolve, want 4", len(msgs))
	}
	for _, m := range msgs[2:] {
		var b alarmstate.Message
		if err := json.Unmarshal([]byte(m.Message), &b); err != nil || b.Kind != alarmstate.KindResolved ||
			b.State != rules.StateOK || b.PreviousState != rules.StateAlarm || m.Attributes["kind"]["value"] != "RESOLVED" {
			t.Errorf("resolve message %s / %+v (%v)", m.Subject, b, err)
		}
	}
}

// The posture job reads the endpoint's KMS and Secrets Manager through the
// handler's Lambda path with the events/scheduler-posture.json fixture.
func TestPostureJobAgainstLocalEndpoint(t *testing.T) {
	_, cfg := startEndpoint(t)
	ctx := context.Background()
	km, sm := kms.NewFromConfig(cfg), secretsmanager.NewFromConfig(cfg)
	static, err := km.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("no rotation")})
	if err != nil {
		t.Fatal(err)
	}
	rotating, err := km.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("rotating")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := km.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: rotating.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	doomed, err := km.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("to be deleted")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := km.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: doomed.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/api-key"), SecretString: aws.String("s3cr3t")})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil)
	h := &Handler{Evaluator: e.ev, Posture: posture.Checker{Secrets: sm, Keys: km, Config: posture.DefaultConfig()},
		PostureMetas: posture.Metas(), Now: func() time.Time { return time.Now() }}
	payload, err := os.ReadFile("../../events/scheduler-posture.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := lambda.NewHandler(h.Invoke).Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var res Result
	if err := json.Unmarshal(out, &res); err != nil || res.Job != JobPosture {
		t.Fatalf("result %s (%v)", out, err)
	}
	checks := []struct {
		rule, res string
		want      rules.State
	}{
		{posture.RuleKeyRotationDisabled, aws.ToString(static.KeyMetadata.Arn), rules.StateAlarm},
		{posture.RuleKeyRotationDisabled, aws.ToString(rotating.KeyMetadata.Arn), ""},
		{posture.RuleKeyPendingDeletion, aws.ToString(doomed.KeyMetadata.Arn), rules.StateAlarm},
		{posture.RuleKeyPendingDeletion, aws.ToString(static.KeyMetadata.Arn), ""},
		{posture.RuleRotationDisabled, aws.ToString(sec.ARN), rules.StateAlarm},
		{posture.RuleSecretUnused, aws.ToString(sec.ARN), ""},
	}
	for _, c := range checks {
		if a := e.state(c.rule, c.res); a.State != c.want {
			t.Errorf("%s on %s: %q, want %q", c.rule, c.res, a.State, c.want)
		}
	}
	// Same day again: idempotent, nothing new is sent.
	e.sent.take()
	if _, err := lambda.NewHandler(h.Invoke).Invoke(ctx, payload); err != nil {
		t.Fatal(err)
	}
	if got := e.sent.take(); len(got) != 0 {
		t.Fatalf("second posture run sent %v", kinds(got))
	}
}
