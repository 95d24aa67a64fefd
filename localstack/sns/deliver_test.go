package sns

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

type recordingInvoker struct {
	mu   sync.Mutex
	got  map[string][]events.SNSEvent
	fail string
}

func (r *recordingInvoker) Invoke(_ context.Context, fn string, payload []byte) ([]byte, error) {
	if fn == r.fail {
		return nil, errors.New("ResourceNotFoundException: Function not found: " + fn)
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[fn] = append(r.got[fn], ev)
	return nil, nil
}

func TestLambdaDelivery(t *testing.T) {
	inv := &recordingInvoker{got: map[string][]events.SNSEvent{}, fail: "broken"}
	s, _ := New(Options{Invoker: inv})
	arn := mustQuery(t, s, "CreateTopic", "Name", "alerts").(createTopicResult).TopicArn
	mustQuery(t, s, "Subscribe", "TopicArn", arn, "Protocol", "lambda", "Endpoint", "notify")
	mustQuery(t, s, "Subscribe", "TopicArn", arn, "Protocol", "lambda", "Endpoint", "broken")
	mustQuery(t, s, "Subscribe", "TopicArn", arn, "Protocol", "email", "Endpoint", "ops@example.com")
	for _, m := range []string{"first", "second"} {
		mustQuery(t, s, "Publish", "TopicArn", arn, "Subject", "alarm", "Message", m,
			"MessageAttributes.entry.1.Name", "severity", "MessageAttributes.entry.1.Value.DataType", "String", "MessageAttributes.entry.1.Value.StringValue", "high")
	}
	s.Flush()
	got := inv.got["notify"]
	if len(got) != 2 || got[0].Records[0].SNS.Message != "first" || got[1].Records[0].SNS.Message != "second" ||
		got[0].Records[0].SNS.TopicArn != arn || got[0].Records[0].EventSource != "aws:sns" || got[0].Records[0].SNS.Subject != "alarm" {
		t.Fatalf("notify got %+v", got)
	}
	if a := got[0].Records[0].SNS.MessageAttributes["severity"].(map[string]any); a["Value"] != "high" {
		t.Errorf("attributes = %v", got[0].Records[0].SNS.MessageAttributes)
	}
	status := map[string]string{}
	for _, d := range s.Messages("")[0].Deliveries {
		status[d.Endpoint] = d.Status
	}
	if status["notify"] != "delivered" || status["broken"] != "failed" || status["ops@example.com"] != "not-delivered" {
		t.Errorf("deliveries = %v", status)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
