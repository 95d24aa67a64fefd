package keyops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// SweepResult is the answer to a scheduled sweep.
type SweepResult struct {
	Revoked int `json:"revoked"`
}

// Invoke is the Lambda entry point: EventBridge scheduled events (source aws.events)
// run the expired-grant sweep; everything else is an API Gateway HTTP API request.
func (h *Handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	if isScheduled(raw) {
		n, err := h.SweepExpiredGrants(ctx)
		if err != nil {
			return nil, fmt.Errorf("sweep expired grants: %w", err) // retried by the scheduler
		}
		return SweepResult{Revoked: n}, nil
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return h.Handle(ctx, events.APIGatewayV2HTTPRequest{RawPath: "/", Body: ""}) // 404 JSON, never a crash
	}
	return h.Handle(ctx, ev)
}

func isScheduled(raw []byte) bool {
	if !bytes.Contains(raw, []byte(`"aws.events"`)) {
		return false
	}
	var probe struct {
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
	}
	return json.Unmarshal(raw, &probe) == nil && probe.Source == "aws.events" && probe.DetailType == "Scheduled Event"
}
