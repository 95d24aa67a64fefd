package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keyward/keyward/shared/audit"
)

// Applier writes one delivery unit's batch exactly once in effect (*audit.Store).
type Applier interface {
	Apply(ctx context.Context, unit string, b *audit.Batch) error
}

// Handler is the audit function: CloudTrail events from EventBridge, and SQS
// batches of S3 notifications for CloudTrail log files, into the audit store.
type Handler struct {
	Store   Applier
	Objects ObjectGetter // S3, for log files
	Parser  audit.ParserConfig
	Log     *slog.Logger
	Metrics *Metrics
	// MaxObjectBytes bounds a log file, compressed and decompressed (default 256 MiB).
	MaxObjectBytes int64

	parsers sync.Pool
}

// Detail types of CloudTrail events on EventBridge.
const (
	detailTypeAPICall      = "AWS API Call via CloudTrail"
	detailTypeServiceEvent = "AWS Service Event via CloudTrail"
)

// auditedSources are the EventBridge sources whose CloudTrail events are audited.
var auditedSources = map[string]bool{"aws.kms": true, "aws.secretsmanager": true, "aws.ssm": true}

// ErrBadInput reports an event the function cannot use; it is returned (and the
// delivery retried, then dead-lettered) rather than dropped.
var ErrBadInput = errors.New("audit: bad input")

// envelope is enough of an event to tell EventBridge from SQS.
type envelope struct {
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	ID         string          `json:"id"`
	Detail     json.RawMessage `json:"detail"`
	Records    []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

// Invoke handles one Lambda invocation: an EventBridge event (returns nil) or an
// SQS batch (returns the partial-batch response).
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		err = fmt.Errorf("%w: event is not a JSON object", ErrBadInput)
		h.log().Error("audit: rejected invocation", "error", err.Error())
		return nil, err
	}
	switch {
	case env.DetailType != "":
		m := &invocationMetrics{}
		err := h.eventBridge(ctx, &env, m)
		h.Metrics.Emit(m)
		if err != nil {
			h.log().Error("audit: EventBridge event not ingested", "id", env.ID, "error", err.Error())
			return nil, err
		}
		return nil, nil
	case len(env.Records) > 0 && env.Records[0].EventSource == "aws:sqs":
		var batch events.SQSEvent
		if err := json.Unmarshal(payload, &batch); err != nil {
			err = fmt.Errorf("%w: SQS batch: %v", ErrBadInput, err)
			h.log().Error("audit: rejected invocation", "error", err.Error())
			return nil, err
		}
		return h.sqs(ctx, batch), nil
	default:
		err := fmt.Errorf("%w: neither an EventBridge event nor an SQS batch", ErrBadInput)
		h.log().Error("audit: rejected invocation", "error", err.Error())
		return nil, err
	}
}

// eventBridge ingests one CloudTrail event. The delivery unit is the CloudTrail
// eventID, which redeliveries keep.
func (h *Handler) eventBridge(ctx context.Context, env *envelope, m *invocationMetrics) error {
	if env.DetailType != detailTypeAPICall && env.DetailType != detailTypeServiceEvent {
		return fmt.Errorf("%w: detail-type %q is not a CloudTrail event", ErrBadInput, env.DetailType)
	}
	if !auditedSources[env.Source] {
		m.Ignored++
		h.log().Info("audit: event source not audited", "source", env.Source, "id", env.ID)
		return nil
	}
	if len(env.Detail) == 0 {
		return fmt.Errorf("%w: event has no detail", ErrBadInput)
	}
	p := h.parser()
	defer h.parsers.Put(p)
	rec, err := p.ParseRecord(env.Detail)
	switch {
	case errors.Is(err, audit.ErrIgnored):
		m.Ignored++
		return nil
	case err != nil:
		m.Malformed++
		return fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	b := audit.NewBatch()
	b.Add(&rec)
	if err := h.Store.Apply(ctx, "ct:"+rec.EventID, b); err != nil {
		return err
	}
	m.add(b)
	return nil
}

func (h *Handler) parser() *audit.Parser {
	if p, ok := h.parsers.Get().(*audit.Parser); ok {
		return p
	}
	return audit.NewParser(h.Parser)
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}
