package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/s3"
)

// notifier turns S3 ObjectCreated notifications of the trail bucket into SQS
// batches for the audit function (the log-file path: S3 → SQS → Lambda), in
// order, one message per object, retried like an SQS redrive.
type notifier struct {
	region, queueARN string
	deliver          func(context.Context, []byte) ([]byte, error)
	log              *slog.Logger

	mu     sync.Mutex
	queue  []events.S3EventRecord
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	serial int
}

func newNotifier(region, account, queue string, deliver func(context.Context, []byte) ([]byte, error), log *slog.Logger) *notifier {
	n := &notifier{region: region, queueARN: fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, account, queue),
		deliver: deliver, log: log, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go n.loop()
	return n
}

// register replaces the endpoint's S3 with one whose ObjectCreated hook feeds
// the queue (endpoint.Options.Register).
func (n *notifier) register(srv *endpoint.Server) error {
	objects, err := s3.New(s3.Options{Region: n.region, DataDir: srv.StatePath("s3"), OnObjectCreated: n.add})
	if err != nil {
		return err
	}
	srv.RegisterREST("s3", objects)
	return nil
}

func (n *notifier) add(o s3.ObjectCreated) {
	n.mu.Lock()
	n.queue = append(n.queue, o.Record())
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *notifier) loop() {
	defer close(n.done)
	for {
		n.mu.Lock()
		batch := n.queue
		if len(batch) > 10 { // SQS batch size of the event source mapping
			batch = batch[:10]
		}
		n.mu.Unlock()
		if len(batch) == 0 {
			select {
			case <-n.stop:
				return
			case <-n.wake:
				continue
			}
		}
		if err := n.send(batch); err != nil {
			n.log.Warn("audit log-file batch failed; retrying", "err", err)
			select {
			case <-n.stop:
				return
			case <-time.After(time.Second):
			}
			continue
		}
		n.mu.Lock()
		n.queue = n.queue[len(batch):]
		n.mu.Unlock()
	}
}

// send delivers one SQS batch; items the function reports as failed stay queued
// (they are at the front, so a failed batch is simply retried whole).
func (n *notifier) send(recs []events.S3EventRecord) error {
	ev := events.SQSEvent{}
	for _, r := range recs {
		body, _ := json.Marshal(events.S3Event{Records: []events.S3EventRecord{r}})
		n.serial++
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: fmt.Sprintf("local-%d", n.serial), Body: string(body), EventSource: "aws:sqs",
			EventSourceARN: n.queueARN, AWSRegion: n.region,
			Attributes: map[string]string{"ApproximateReceiveCount": "1"},
		})
	}
	payload, _ := json.Marshal(ev)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := n.deliver(ctx, payload)
	if err != nil {
		return err
	}
	var resp events.SQSEventResponse
	if json.Unmarshal(out, &resp) == nil && len(resp.BatchItemFailures) > 0 {
		return fmt.Errorf("%d of %d messages failed", len(resp.BatchItemFailures), len(recs))
	}
	return nil
}

func (n *notifier) close() {
	close(n.stop)
	<-n.done
}
