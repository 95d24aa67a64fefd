package sns

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

func query(t *testing.T, s *Service, action string, kv ...string) (any, error) {
	t.Helper()
	p := url.Values{"Action": {action}, "Version": {"2010-03-31"}}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Add(kv[i], kv[i+1])
	}
	return s.ServeQuery(context.Background(), &awsapi.Call{Service: "sns", Operation: action}, p)
}

func mustQuery(t *testing.T, s *Service, action string, kv ...string) any {
	t.Helper()
	out, err := query(t, s, action, kv...)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	return out
}

func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae *awsapi.Error
	if !errors.As(err, &ae) || ae.Code != code || ae.Status != status {
		t.Fatalf("error = %v, want %s (%d)", err, code, status)
	}
}

func newService(t *testing.T) *Service {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateTopic(t *testing.T) {
	s := newService(t)
	a := mustQuery(t, s, "CreateTopic", "Name", "keyward-alerts").(createTopicResult)
	if a.TopicArn != "arn:aws:sns:us-east-1:111122223333:keyward-alerts" {
		t.Errorf("arn = %s", a.TopicArn)
	}
	if b := mustQuery(t, s, "CreateTopic", "Name", "keyward-alerts").(createTopicResult); b != a {
		t.Errorf("CreateTopic is not idempotent: %v vs %v", a, b)
	}
	mustQuery(t, s, "CreateTopic", "Name", "ordered.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true")
	cases := []struct {
		name string
		kv   []string
		code string
	}{
		{"missing name", nil, "ValidationError"},
		{"empty name", []string{"Name", ""}, "InvalidParameter"},
		{"space", []string{"Name", "a b"}, "InvalidParameter"},
		{"unicode", []string{"Name", "alertes-été"}, "InvalidParameter"},
		{"too long", []string{"Name", strings.Repeat("a", 257)}, "InvalidParameter"},
		{"fifo suffix without attribute", []string{"Name", "x.fifo"}, "InvalidParameter"},
		{"fifo attribute without suffix", []string{"Name", "x", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true"}, "InvalidParameter"},
		{"unknown attribute", []string{"Name", "x", "Attributes.entry.1.key", "Colour", "Attributes.entry.1.value", "red"}, "InvalidParameter"},
		{"different attributes", []string{"Name", "keyward-alerts", "Attributes.entry.1.key", "DisplayName", "Attributes.entry.1.value", "x"}, "InvalidParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := query(t, s, "CreateTopic", tc.kv...)
			wantCode(t, err, tc.code, 400)
		})
	}
	if n := len(s.topics); n != 2 {
		t.Errorf("topics = %d, want 2", n)
	}
}

func TestListTopicsPaging(t *testing.T) {
	s := newService(t)
	for i := range 150 {
		mustQuery(t, s, "CreateTopic", "Name", "t"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+strings.Repeat("0", i/26))
	}
	total := len(s.topics)
	seen := map[string]bool{}
	next := ""
	for {
		kv := []string{}
		if next != "" {
			kv = []string{"NextToken", next}
		}
		page := mustQuery(t, s, "ListTopics", kv...).(listTopicsResult)
		for _, m := range page.Topics {
			seen[m.TopicArn] = true
		}
		if next = page.NextToken; next == "" {
			break
		}
	}
	if len(seen) != total {
		t.Errorf("listed %d of %d topics", len(seen), total)
	}
	_, err := query(t, s, "ListTopics", "NextToken", "bogus")
	wantCode(t, err, "InvalidParameter", 400)
}

func TestPublish(t *testing.T) {
	s := newService(t)
	var hooked []Message
	s.opts.OnPublish = func(m Message) { hooked = append(hooked, m) }
	arn := mustQuery(t, s, "CreateTopic", "Name", "alerts").(createTopicResult).TopicArn
	out := mustQuery(t, s, "Publish", "TopicArn", arn, "Subject", "KMS key disabled", "Message", `{"alarm":"x"}`,
		"MessageAttributes.entry.1.Name", "severity", "MessageAttributes.entry.1.Value.DataType", "String",
		"MessageAttributes.entry.1.Value.StringValue", "high").(publishResult)
	if len(out.MessageId) != 36 {
		t.Errorf("MessageId = %q", out.MessageId)
	}
	msgs := s.Messages("alerts")
	if len(msgs) != 1 || msgs[0].Subject != "KMS key disabled" || msgs[0].Attributes["severity"].Value != "high" || msgs[0].Topic != arn {
		t.Fatalf("messages = %+v", msgs)
	}
	if len(hooked) != 1 || hooked[0].MessageID != out.MessageId {
		t.Errorf("OnPublish = %+v", hooked)
	}
	if len(s.Messages("other")) != 0 {
		t.Error("topic filter does not filter")
	}
}

func TestPublishErrors(t *testing.T) {
	s := newService(t)
	arn := mustQuery(t, s, "CreateTopic", "Name", "alerts").(createTopicResult).TopicArn
	fifo := mustQuery(t, s, "CreateTopic", "Name", "f.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true").(createTopicResult).TopicArn
	attr := func(name, typ, val string) []string {
		return []string{"MessageAttributes.entry.1.Name", name, "MessageAttributes.entry.1.Value.DataType", typ, "MessageAttributes.entry.1.Value.StringValue", val}
	}
	cases := []struct {
		name   string
		kv     []string
		code   string
		status int
	}{
		{"no message", []string{"TopicArn", arn}, "ValidationError", 400},
		{"empty message", []string{"TopicArn", arn, "Message", ""}, "InvalidParameter", 400},
		{"too long", []string{"TopicArn", arn, "Message", strings.Repeat("x", maxMessageBytes+1)}, "InvalidParameter", 400},
		{"long with attributes", append([]string{"TopicArn", arn, "Message", strings.Repeat("x", maxMessageBytes-10)}, attr("a", "String", "0123456789")...), "InvalidParameter", 400},
		{"subject too long", []string{"TopicArn", arn, "Message", "m", "Subject", strings.Repeat("s", 101)}, "InvalidParameter", 400},
		{"subject newline", []string{"TopicArn", arn, "Message", "m", "Subject", "a\nb"}, "InvalidParameter", 400},
		{"subject non-ascii", []string{"TopicArn", arn, "Message", "m", "Subject", "clé"}, "InvalidParameter", 400},
		{"empty subject", []string{"TopicArn", arn, "Message", "m", "Subject", ""}, "InvalidParameter", 400},
		{"no topic", []string{"Message", "m"}, "InvalidParameter", 400},
		{"two targets", []string{"TopicArn", arn, "PhoneNumber", "+15555550100", "Message", "m"}, "InvalidParameter", 400},
		{"bad arn", []string{"TopicArn", "alerts", "Message", "m"}, "InvalidParameter", 400},
		{"unknown topic", []string{"TopicArn", arn + "x", "Message", "m"}, "NotFound", 404},
		{"json without default", []string{"TopicArn", arn, "Message", `{"sqs":"x"}`, "MessageStructure", "json"}, "InvalidParameter", 400},
		{"json invalid", []string{"TopicArn", arn, "Message", `{`, "MessageStructure", "json"}, "InvalidParameter", 400},
		{"bad attribute type", append([]string{"TopicArn", arn, "Message", "m"}, attr("a", "Colour", "x")...), "ParameterValueInvalid", 400},
		{"bad number", append([]string{"TopicArn", arn, "Message", "m"}, attr("a", "Number", "ten")...), "ParameterValueInvalid", 400},
		{"reserved attribute", append([]string{"TopicArn", arn, "Message", "m"}, attr("AWS.x", "String", "v")...), "ParameterValueInvalid", 400},
		{"empty attribute", append([]string{"TopicArn", arn, "Message", "m"}, attr("a", "String", "")...), "ParameterValueInvalid", 400},
		{"fifo needs group", []string{"TopicArn", fifo, "Message", "m", "MessageDeduplicationId", "d"}, "InvalidParameter", 400},
		{"fifo needs dedup", []string{"TopicArn", fifo, "Message", "m", "MessageGroupId", "g"}, "InvalidParameter", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := query(t, s, "Publish", tc.kv...)
			wantCode(t, err, tc.code, tc.status)
		})
	}
	if n := len(s.Messages("")); n != 0 {
		t.Errorf("%d messages recorded by refused publishes", n)
	}
	ok := mustQuery(t, s, "Publish", "TopicArn", arn, "Message", strings.Repeat("x", maxMessageBytes), "Subject", strings.Repeat("s", 100)).(publishResult)
	if ok.MessageId == "" {
		t.Error("a message at the limits was refused")
	}
	f := mustQuery(t, s, "Publish", "TopicArn", fifo, "Message", "m", "MessageGroupId", "g", "MessageDeduplicationId", "d").(publishResult)
	if f.SequenceNumber == "" {
		t.Error("FIFO publish without SequenceNumber")
	}
}

func TestSubscriptions(t *testing.T) {
	s := newService(t)
	arn := mustQuery(t, s, "CreateTopic", "Name", "alerts").(createTopicResult).TopicArn
	sub := mustQuery(t, s, "Subscribe", "TopicArn", arn, "Protocol", "lambda", "Endpoint", "arn:aws:lambda:us-east-1:111122223333:function:audit").(subscribeResult)
	if !strings.HasPrefix(sub.SubscriptionArn, arn+":") {
		t.Errorf("SubscriptionArn = %s", sub.SubscriptionArn)
	}
	if e := mustQuery(t, s, "Subscribe", "TopicArn", arn, "Protocol", "email", "Endpoint", "ops@example.com").(subscribeResult); e.SubscriptionArn != "pending confirmation" {
		t.Errorf("email = %s", e.SubscriptionArn)
	}
	_, err := query(t, s, "Subscribe", "TopicArn", arn, "Protocol", "pigeon", "Endpoint", "x")
	wantCode(t, err, "InvalidParameter", 400)
	l := mustQuery(t, s, "ListSubscriptionsByTopic", "TopicArn", arn).(listSubscriptionsByTopicResult)
	if len(l.Subscriptions) != 2 {
		t.Errorf("subscriptions = %+v", l)
	}
	mustQuery(t, s, "Unsubscribe", "SubscriptionArn", sub.SubscriptionArn)
	_, err = query(t, s, "Unsubscribe", "SubscriptionArn", sub.SubscriptionArn)
	wantCode(t, err, "NotFound", 404)
	attrs := mustQuery(t, s, "GetTopicAttributes", "TopicArn", arn).(getTopicAttributesResult)
	if len(attrs.Attributes) == 0 {
		t.Error("no topic attributes")
	}
	mustQuery(t, s, "DeleteTopic", "TopicArn", arn)
	mustQuery(t, s, "DeleteTopic", "TopicArn", arn) // idempotent
	_, err = query(t, s, "GetTopicAttributes", "TopicArn", arn)
	wantCode(t, err, "NotFound", 404)
	_, err = query(t, s, "ConfirmEverything")
	wantCode(t, err, "InvalidAction", 400)
}

func TestMessagesHandler(t *testing.T) {
	s := newService(t)
	arn := mustQuery(t, s, "CreateTopic", "Name", "alerts").(createTopicResult).TopicArn
	mustQuery(t, s, "Publish", "TopicArn", arn, "Message", "one", "Subject", "s1")
	mustQuery(t, s, "Publish", "PhoneNumber", "+15555550100", "Message", "two")
	h := s.MessagesHandler()
	get := func(q string) []map[string]any {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/_keyward/sns/messages"+q, nil))
		var out []map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("body %s: %v", w.Body, err)
		}
		return out
	}
	all := get("")
	if len(all) != 2 || all[0]["message"] != "one" || all[0]["topic"] != arn || all[0]["subject"] != "s1" || all[0]["time"] == nil {
		t.Errorf("messages = %v", all)
	}
	if f := get("?topic=" + url.QueryEscape(arn)); len(f) != 1 {
		t.Errorf("filtered = %v", f)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("DELETE", "/_keyward/sns/messages", nil))
	if w.Code != http.StatusNoContent || len(get("")) != 0 {
		t.Errorf("DELETE = %d", w.Code)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/_keyward/sns/messages", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d", w.Code)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sns.json")
	a, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	arn := mustQuery(t, a, "CreateTopic", "Name", "alerts").(createTopicResult).TopicArn
	mustQuery(t, a, "Publish", "TopicArn", arn, "Message", "kept")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// a torn last line (crash mid-append) is skipped
	f, _ := os.OpenFile(strings.TrimSuffix(path, ".json")+".messages.jsonl", os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"messageId":"tor`)
	f.Close()
	b, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Messages(""); len(m) != 1 || m[0].Message != "kept" {
		t.Errorf("messages after restart = %+v", m)
	}
	mustQuery(t, b, "Publish", "TopicArn", arn, "Message", "after restart")
	b.Close()
	c, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if m := c.Messages(""); len(m) != 2 || m[1].Message != "after restart" {
		t.Errorf("messages after a second restart = %+v", m)
	}
}

func TestMaxMessages(t *testing.T) {
	s, _ := New(Options{MaxMessages: 3})
	arn := mustQuery(t, s, "CreateTopic", "Name", "alerts").(createTopicResult).TopicArn
	for _, m := range []string{"1", "2", "3", "4", "5"} {
		mustQuery(t, s, "Publish", "TopicArn", arn, "Message", m)
	}
	if m := s.Messages(""); len(m) != 3 || m[0].Message != "3" {
		t.Errorf("kept = %+v", m)
	}
}

func TestFIFODeduplication(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s, _ := New(Options{Now: func() time.Time { return now }})
	fifo := mustQuery(t, s, "CreateTopic", "Name", "f.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true",
		"Attributes.entry.2.key", "ContentBasedDeduplication", "Attributes.entry.2.value", "true").(createTopicResult).TopicArn
	a := mustQuery(t, s, "Publish", "TopicArn", fifo, "Message", "m", "MessageGroupId", "g").(publishResult)
	b := mustQuery(t, s, "Publish", "TopicArn", fifo, "Message", "m", "MessageGroupId", "g").(publishResult)
	c := mustQuery(t, s, "Publish", "TopicArn", fifo, "Message", "other", "MessageGroupId", "g").(publishResult)
	if a != b || c.MessageId == a.MessageId || len(s.Messages("")) != 2 {
		t.Errorf("a=%v b=%v c=%v, %d recorded", a, b, c, len(s.Messages("")))
	}
	now = now.Add(6 * time.Minute)
	if d := mustQuery(t, s, "Publish", "TopicArn", fifo, "Message", "m", "MessageGroupId", "g").(publishResult); d.MessageId == a.MessageId {
		t.Error("deduplicated after the 5-minute interval")
	}
}
