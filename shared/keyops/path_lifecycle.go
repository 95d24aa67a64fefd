package keyops

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/keyward/keyward/shared/table"
)

type lifecycleResponse struct {
	Alias        string     `json:"alias"`
	KeyID        string     `json:"keyId"`
	State        string     `json:"state"`
	Forced       bool       `json:"forced,omitempty"`
	LastUse      *Use       `json:"lastUse,omitempty"`
	DeletionDate *time.Time `json:"deletionDate,omitempty"`
	Rotation     string     `json:"rotation,omitempty"`
}

// rotateKey: POST /v1/keys/{alias}/rotate → on-demand rotation of the key material.
func (h *Handler) rotateKey(ctx context.Context, r *request) (response, error) {
	if err := decodeOptionalJSON(r.body, &struct{}{}); err != nil {
		return response{}, err
	}
	k, err := h.keyFromPath(ctx, r, ActKeyRotate)
	if err != nil {
		return response{}, err
	}
	if _, err := h.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(k.KeyARN)}); err != nil {
		return response{}, fmt.Errorf("rotate alias/%s: %w", k.Alias, err)
	}
	return ok(lifecycleResponse{Alias: "alias/" + k.Alias, KeyID: k.KeyID, State: k.State, Rotation: "started"})
}

type disableRequest struct {
	Force  bool   `json:"force"`
	Reason string `json:"reason"`
}

// inUse is the 409 of both guardrails, with the last use (who, when) as details.
func inUse(alias, what string, u Use, days int) error {
	e := newError(ErrConflict, "KeyInUse",
		"alias/%s was used by %s at %s (%s, within the last %d days); %s",
		alias, u.Principal, u.At.UTC().Format(time.RFC3339), u.Operation, days, what)
	e.details = map[string]any{"lastUse": u}
	return e
}

// disableKey: POST /v1/keys/{alias}/disable. A key used in the last N days is only
// disabled with force:true and a reason; the decision is recorded either way.
func (h *Handler) disableKey(ctx context.Context, r *request) (response, error) {
	var in disableRequest
	if err := decodeOptionalJSON(r.body, &in); err != nil {
		return response{}, err
	}
	if len(in.Reason) > 1024 {
		return response{}, badRequest("reason is longer than 1024 characters")
	}
	if in.Force && in.Reason == "" {
		return response{}, badRequest("force requires a reason")
	}
	k, err := h.keyFromPath(ctx, r, ActKeyDisable)
	if err != nil {
		return response{}, err
	}
	u, used, err := h.lastUse(ctx, k)
	if err != nil {
		return response{}, err
	}
	if used && !in.Force {
		return response{}, inUse(k.Alias, `disabling it needs "force": true and a "reason"`, u, h.cfg.GuardDays)
	}
	now := h.cfg.Now()
	rec := table.NewKeyDisableItem(k.Alias, now)
	rec.Principal, rec.Force, rec.Reason = r.caller, in.Force, in.Reason
	if used {
		rec.LastUseBy, rec.LastUseAt, rec.LastUseSource = u.Principal, table.KeyopsTime(u.At), u.Source
	}
	if err := h.store.PutDisable(ctx, rec); err != nil {
		return response{}, err
	}
	if _, err := h.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(k.KeyARN)}); err != nil {
		return response{}, fmt.Errorf("disable alias/%s: %w", k.Alias, err)
	}
	if err := h.store.SetKeyState(ctx, k.Alias, StateDisabled, now); err != nil {
		return response{}, err
	}
	h.forgetKey(k)
	out := lifecycleResponse{Alias: "alias/" + k.Alias, KeyID: k.KeyID, State: StateDisabled, Forced: used && in.Force}
	if used {
		out.LastUse = &u
	}
	return ok(out)
}

// enableKey: POST /v1/keys/{alias}/enable.
func (h *Handler) enableKey(ctx context.Context, r *request) (response, error) {
	if err := decodeOptionalJSON(r.body, &struct{}{}); err != nil {
		return response{}, err
	}
	k, err := h.keyFromPath(ctx, r, ActKeyEnable)
	if err != nil {
		return response{}, err
	}
	if _, err := h.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(k.KeyARN)}); err != nil {
		return response{}, fmt.Errorf("enable alias/%s: %w", k.Alias, err)
	}
	if err := h.store.SetKeyState(ctx, k.Alias, StateEnabled, h.cfg.Now()); err != nil {
		return response{}, err
	}
	h.forgetKey(k)
	return ok(lifecycleResponse{Alias: "alias/" + k.Alias, KeyID: k.KeyID, State: StateEnabled})
}

type scheduleRequest struct {
	Days *int `json:"days"`
}

// scheduleDeletion: POST /v1/keys/{alias}/schedule-deletion {days 7–30}. Only a
// Disabled key with no use in the last N days — in the audit store or in keyops' own
// synchronous records — is scheduled; otherwise 409 with the last use.
func (h *Handler) scheduleDeletion(ctx context.Context, r *request) (response, error) {
	var in scheduleRequest
	if err := decodeOptionalJSON(r.body, &in); err != nil {
		return response{}, err
	}
	days := h.cfg.DefaultDeletionDays
	if in.Days != nil {
		days = *in.Days
	}
	if days < 7 || days > 30 {
		return response{}, badRequest("days must be between 7 and 30")
	}
	k, err := h.keyFromPath(ctx, r, ActKeyDelete)
	if err != nil {
		return response{}, err
	}
	d, err := h.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.KeyARN)})
	if err != nil {
		return response{}, fmt.Errorf("describe alias/%s: %w", k.Alias, err)
	}
	if st := d.KeyMetadata.KeyState; st != kmstypes.KeyStateDisabled {
		return response{}, conflict("KeyNotDisabled", "alias/%s is %s: disable it first and wait until it is unused", k.Alias, st)
	}
	u, used, err := h.lastUse(ctx, k)
	if err != nil {
		return response{}, err
	}
	if used {
		return response{}, inUse(k.Alias, "it cannot be scheduled for deletion", u, h.cfg.GuardDays)
	}
	res, err := h.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
		KeyId: aws.String(k.KeyARN), PendingWindowInDays: aws.Int32(int32(days)),
	})
	if err != nil {
		return response{}, fmt.Errorf("schedule deletion of alias/%s: %w", k.Alias, err)
	}
	if err := h.store.SetKeyState(ctx, k.Alias, StatePendingDeletion, h.cfg.Now()); err != nil {
		return response{}, err
	}
	h.forgetKey(k)
	return ok(lifecycleResponse{Alias: "alias/" + k.Alias, KeyID: k.KeyID, State: StatePendingDeletion, DeletionDate: res.DeletionDate})
}

// cancelDeletion: POST /v1/keys/{alias}/cancel-deletion → the key is Disabled again.
func (h *Handler) cancelDeletion(ctx context.Context, r *request) (response, error) {
	if err := decodeOptionalJSON(r.body, &struct{}{}); err != nil {
		return response{}, err
	}
	k, err := h.keyFromPath(ctx, r, ActKeyCancel)
	if err != nil {
		return response{}, err
	}
	if _, err := h.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(k.KeyARN)}); err != nil {
		return response{}, fmt.Errorf("cancel deletion of alias/%s: %w", k.Alias, err)
	}
	if err := h.store.SetKeyState(ctx, k.Alias, StateDisabled, h.cfg.Now()); err != nil {
		return response{}, err
	}
	h.forgetKey(k)
	return ok(lifecycleResponse{Alias: "alias/" + k.Alias, KeyID: k.KeyID, State: StateDisabled})
}
