package sns

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Delivery is the outcome of delivering a message to one subscription.
type Delivery struct {
	SubscriptionARN string `json:"subscriptionArn"`
	Protocol        string `json:"protocol"`
	Endpoint        string `json:"endpoint"`
	Status          string `json:"status"` // pending, delivered, failed, not-delivered (protocol without a local target)
	Error           string `json:"error,omitempty"`
}

type delivery struct {
	messageID string
	index     int
	function  string
	payload   []byte
}

// deliveries plans a message's deliveries. Lambda subscriptions are invoked
// through the endpoint's function registry, in publish order, after Publish
// returns (as SNS delivers asynchronously); other protocols are only recorded.
// The caller holds s.mu.
func (s *Service) deliveries(t *topic, m *Message) []delivery {
	var out []delivery
	for _, sub := range t.Subscriptions {
		d := Delivery{SubscriptionARN: sub.ARN, Protocol: sub.Protocol, Endpoint: sub.Endpoint, Status: "not-delivered"}
		if sub.Protocol == "lambda" && s.opts.Invoker != nil {
			d.Status = "pending"
			payload, _ := json.Marshal(snsEvent(sub, m))
			out = append(out, delivery{messageID: m.MessageID, index: len(m.Deliveries), function: sub.Endpoint, payload: payload})
		}
		m.Deliveries = append(m.Deliveries, d)
	}
	return out
}

// snsEvent is the event a Lambda subscriber receives.
func snsEvent(sub *subscription, m *Message) events.SNSEvent {
	attrs := map[string]any{}
	for k, a := range m.Attributes {
		attrs[k] = map[string]string{"Type": a.Type, "Value": a.Value}
	}
	return events.SNSEvent{Records: []events.SNSEventRecord{{
		EventVersion: "1.0", EventSource: "aws:sns", EventSubscriptionArn: sub.ARN,
		SNS: events.SNSEntity{
			Type: "Notification", MessageID: m.MessageID, TopicArn: m.Topic, Subject: m.Subject, Message: m.Message,
			Timestamp: m.Time, SignatureVersion: "1", Signature: "LOCAL", MessageAttributes: attrs,
			SigningCertURL: "http://127.0.0.1:4566/_keyward/sns/certificate.pem",
			UnsubscribeURL: "http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=" + sub.ARN,
		},
	}}}
}

// enqueue hands deliveries to the delivery worker, starting it on first use.
// The caller holds s.mu.
func (s *Service) enqueue(ds []delivery) {
	if len(ds) == 0 {
		return
	}
	if s.queue == nil {
		s.queue = make(chan delivery, 4096)
		s.workerDone = make(chan struct{})
		go s.deliverLoop()
	}
	for _, d := range ds {
		s.pending.Add(1)
		select {
		case s.queue <- d:
		default: // queue full: fail rather than block Publish
			s.setStatus(d, "failed", "delivery queue full")
			s.pending.Done()
		}
	}
}

func (s *Service) deliverLoop() {
	defer close(s.workerDone)
	for d := range s.queue {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := s.opts.Invoker.Invoke(ctx, d.function, d.payload)
		cancel()
		s.mu.Lock()
		if err != nil {
			s.setStatus(d, "failed", err.Error())
		} else {
			s.setStatus(d, "delivered", "")
		}
		s.mu.Unlock()
		s.pending.Done()
	}
}

// setStatus records a delivery outcome on the recorded message. The caller holds s.mu.
func (s *Service) setStatus(d delivery, status, errText string) {
	for i := len(s.messages) - 1; i >= 0; i-- {
		if s.messages[i].MessageID == d.messageID {
			if d.index < len(s.messages[i].Deliveries) {
				s.messages[i].Deliveries[d.index].Status = status
				s.messages[i].Deliveries[d.index].Error = errText
			}
			return
		}
	}
}

// Flush waits until every queued delivery has been attempted.
func (s *Service) Flush() { s.pending.Wait() }
