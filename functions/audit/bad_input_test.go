package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/keyward/keyward/shared/audit"
)

// payloadMarkers are strings from the fixtures' payloads that must never reach a log line.
var payloadMarkers = []string{"Alice", "198.51.100.23", "Engineering", "i-0abc123"}

func TestBadEventBridgeEventsAreErrors(t *testing.T) {
	e := newEnv(t, nil)
	good := readEvent(t, "eventbridge-kms-disablekey.json")
	var ev map[string]any
	if err := json.Unmarshal(good, &ev); err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(good, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name    string
		payload []byte
		wantErr bool
	}{
		{"not json", []byte(`{"detail-type":`), true},
		{"neither kind", []byte(`{"hello":"world"}`), true},
		{"wrong detail type", mutate(func(m map[string]any) { m["detail-type"] = "Object Created" }), true},
		{"no detail", mutate(func(m map[string]any) { delete(m, "detail") }), true},
		{"detail not an object", mutate(func(m map[string]any) { m["detail"] = "Alice" }), true},
		{"record without eventID", mutate(func(m map[string]any) { delete(m["detail"].(map[string]any), "eventID") }), true},
		{"record with a bad time", mutate(func(m map[string]any) { m["detail"].(map[string]any)["eventTime"] = "Alice's birthday" }), true},
		{"source not audited", mutate(func(m map[string]any) { m["source"] = "aws.ec2" }), false},
		{"detail source not audited", mutate(func(m map[string]any) { m["detail"].(map[string]any)["eventSource"] = "ec2.amazonaws.com" }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.invoke(t, tt.payload)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
	for _, m := range payloadMarkers {
		if strings.Contains(e.logs.String(), m) {
			t.Errorf("a log line carries payload %q:\n%s", m, e.logs.String())
		}
	}
}

// snsWrap wraps a body as SNS delivers it to an SQS subscription.
func snsWrap(body string) string {
	b, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "m-1",
		"TopicArn": "arn:aws:sns:us-east-1:111122223333:trail", "Message": body})
	return string(b)
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func TestSQSBatchReportsOnlyBadMessages(t *testing.T) {
	e := newEnv(t, nil)
	e.putLogFile(t)
	ctx := context.Background()
	detail := func(name string) string {
		var ev struct {
			Detail json.RawMessage `json:"detail"`
		}
		_ = json.Unmarshal(readEvent(t, "eventbridge-"+name+".json"), &ev)
		return string(ev.Detail)
	}
	put := func(key string, body []byte) {
		if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(trailBkt), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	const prefix = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/01/"
	put(prefix+"partly-bad.json.gz", gz(t, []byte(`{"Records":[`+detail("kms-schedulekeydeletion")+`,{"eventTime":"2026-12-01T10:00:00Z"},17]}`)))
	put(prefix+"not-gzip-json.json.gz", []byte("Alice was here"))
	put(prefix+"truncated.json.gz", gz(t, []byte(`{"Records":[`+detail("kms-putkeypolicy")+`,{"eventID":`)))

	var fixture events.SQSEvent
	if err := json.Unmarshal(readEvent(t, "sqs-s3-cloudtrail.json"), &fixture); err != nil {
		t.Fatal(err)
	}
	msg := func(id, body string) events.SQSMessage {
		m := fixture.Records[0]
		m.MessageId, m.Body = id, body
		return m
	}
	note := func(key string) string {
		return strings.Replace(fixture.Records[0].Body, `AWSLogs/o-exampleorg/111122223333/CloudTrail/us-east-1/2026/12/01/111122223333_CloudTrail_us-east-1_20261201T1035Z_Abc123DefGhi4567.json.gz`, key, 1)
	}
	batch := events.SQSEvent{Records: []events.SQSMessage{
		msg("good-log", fixture.Records[0].Body),
		msg("missing-object", note(prefix+"nowhere.json.gz")),
		msg("partly-bad", note(prefix+"partly-bad.json.gz")),
		msg("not-json-body", "Alice"),
		msg("not-gzip", note(prefix+"not-gzip-json.json.gz")),
		msg("truncated", note(prefix+"truncated.json.gz")),
		msg("digest", fixture.Records[1].Body),
		msg("test-event", fixture.Records[2].Body),
		msg("eventbridge-via-sqs", string(readEvent(t, "eventbridge-kms-enablekey.json"))),
		msg("sns-wrapped", snsWrap(note(prefix+"sns.json.gz"))),
		msg("cloudtrail-sns", `{"s3Bucket":"`+trailBkt+`","s3ObjectKey":["`+prefix+`ct-sns.json.gz","`+prefix+`digest/CloudTrail-Digest/x.json.gz"]}`),
	}}
	put(prefix+"sns.json.gz", gz(t, []byte(`{"Records":[`+detail("kms-cancelkeydeletion")+`]}`)))
	put(prefix+"ct-sns.json.gz", gz(t, []byte(`{"Records":[`+detail("kms-rotatekeyondemand")+`]}`)))
	payload, _ := json.Marshal(batch)
	out, err := e.invoke(t, payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	want := []string{"missing-object", "partly-bad", "not-json-body", "not-gzip", "truncated"}
	if strings.Join(failed, ",") != strings.Join(want, ",") {
		t.Fatalf("failures %v, want %v; logs:\n%s", failed, want, e.logs.String())
	}
	// Good neighbours were stored: the good log file, the good record of the partly
	// bad file, the record before the truncation, the EventBridge event via SQS.
	evs, err := e.store.EventsByResource(ctx, testKey, audit.EventQuery{From: at0, To: at0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range evs {
		got[r.Name] = true
	}
	for _, name := range []string{"DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "EnableKey", "CancelKeyDeletion", "RotateKeyOnDemand"} {
		if !got[name] {
			t.Errorf("%s from a good neighbour not stored: %v", name, got)
		}
	}
	for _, m := range payloadMarkers {
		if strings.Contains(e.logs.String(), m) {
			t.Errorf("a log line carries payload %q", m)
		}
	}
	if !strings.Contains(e.logs.String(), "malformed record") {
		t.Errorf("malformed records not reported:\n%s", e.logs.String())
	}
	var be interface{ Error() string } = ErrBadInput
	if !errors.Is(ErrBadInput, be.(error)) {
		t.Fatal("unreachable")
	}
}
