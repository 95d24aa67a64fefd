package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keyward/keyward/shared/audit"
)

// s3Notification is an S3 event notification as SQS carries it (or S3's test
// event, which has "Event": "s3:TestEvent" and no Records).
type s3Notification struct {
	Records []struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		S3          struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key     string `json:"key"`
				ETag    string `json:"eTag"`
				Version string `json:"versionId"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
	Event string `json:"Event"`

	// An SNS notification wrapping one of the bodies (S3 → SNS → SQS fan-out).
	Type    string `json:"Type"`
	Message string `json:"Message"`

	// CloudTrail's own SNS notification of delivered log files.
	CloudTrailBucket string   `json:"s3Bucket"`
	CloudTrailKeys   []string `json:"s3ObjectKey"`
}

// sqs handles a batch message by message; a message that cannot be used (or
// whose log file holds malformed records) is reported as a batch item failure, so
// SQS retries it and finally moves it to the dead-letter queue. Good records of a
// partly bad log file are stored before the failure is reported (exactly once, so
// the retries change nothing).
func (h *Handler) sqs(ctx context.Context, batch events.SQSEvent) events.SQSEventResponse {
	var resp events.SQSEventResponse
	for _, msg := range batch.Records {
		m := &invocationMetrics{}
		if err := h.message(ctx, msg, m); err != nil {
			m.FailedMessages++
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
			h.log().Error("audit: SQS message not ingested", "messageId", msg.MessageId, "error", err.Error())
		}
		h.Metrics.Emit(m)
	}
	return resp
}

func (h *Handler) message(ctx context.Context, msg events.SQSMessage, m *invocationMetrics) error {
	return h.body(ctx, []byte(msg.Body), m, true)
}

// body handles one message body: an S3 event notification, CloudTrail's SNS
// notification, either wrapped in an SNS envelope, or an EventBridge event.
func (h *Handler) body(ctx context.Context, body []byte, m *invocationMetrics, unwrap bool) error {
	// An EventBridge event routed through SQS (rule target: queue) is one unit.
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.DetailType != "" {
		return h.eventBridge(ctx, &env, m)
	}
	var n s3Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return fmt.Errorf("%w: message body is not an S3 notification", ErrBadInput)
	}
	switch {
	case n.Type == "Notification" && n.Message != "" && unwrap:
		return h.body(ctx, []byte(n.Message), m, false)
	case n.Event == "s3:TestEvent":
		return nil
	case n.CloudTrailBucket != "" && len(n.CloudTrailKeys) > 0:
		var errs []error
		for _, key := range n.CloudTrailKeys {
			if !isLogFile(key) {
				m.SkippedObjects++
				continue
			}
			obj := object{Bucket: n.CloudTrailBucket, Key: key}
			if err := h.logFile(ctx, obj, m); err != nil {
				errs = append(errs, fmt.Errorf("s3://%s/%s: %w", obj.Bucket, obj.Key, err))
			}
		}
		return errors.Join(errs...)
	case len(n.Records) == 0:
		return fmt.Errorf("%w: S3 notification without records", ErrBadInput)
	}
	var errs []error
	for _, r := range n.Records {
		if r.EventSource != "aws:s3" || !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: object key is not URL-encoded", ErrBadInput))
			continue
		}
		if !isLogFile(key) {
			m.SkippedObjects++
			continue
		}
		obj := object{Bucket: r.S3.Bucket.Name, Key: key, ETag: r.S3.Object.ETag, Version: r.S3.Object.Version}
		if err := h.logFile(ctx, obj, m); err != nil {
			errs = append(errs, fmt.Errorf("s3://%s/%s: %w", obj.Bucket, obj.Key, err))
		}
	}
	return errors.Join(errs...)
}

// isLogFile accepts CloudTrail log files and skips digest files and anything else
// a trail bucket holds.
func isLogFile(key string) bool {
	return strings.Contains(key, "/CloudTrail/") && !strings.Contains(key, "/CloudTrail-Digest/") &&
		(strings.HasSuffix(key, ".json.gz") || strings.HasSuffix(key, ".json"))
}

// logFile reads, parses and stores one log file. The delivery unit is the object
// (bucket, key, ETag), which a redelivered notification names again.
func (h *Handler) logFile(ctx context.Context, obj object, m *invocationMetrics) error {
	data, err := h.read(ctx, obj)
	if err != nil {
		return err
	}
	p := h.parser()
	defer h.parsers.Put(p)
	b := audit.NewBatch()
	st, perr := p.ParseLogFile(data, b.Add)
	m.Ignored += st.Ignored
	m.Malformed += len(st.Bad)
	for i, bad := range st.Bad {
		if i == 10 {
			h.log().Error("audit: more malformed records", "object", obj.Key, "count", len(st.Bad)-10)
			break
		}
		h.log().Error("audit: malformed record", "object", obj.Key, "index", bad.Index, "eventID", bad.EventID, "error", bad.Err.Error())
	}
	if b.Records > 0 {
		if err := h.Store.Apply(ctx, obj.unit(), b); err != nil {
			return err
		}
		m.add(b)
	}
	if perr != nil {
		return fmt.Errorf("%w: %v", ErrBadInput, perr)
	}
	if len(st.Bad) > 0 {
		return fmt.Errorf("%w: %d malformed records (good records stored)", ErrBadInput, len(st.Bad))
	}
	return nil
}
