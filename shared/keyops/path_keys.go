package keyops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/keyward/keyward/shared/table"
)

type createKeyRequest struct {
	Alias           string   `json:"alias"`
	Description     string   `json:"description"`
	Environment     string   `json:"environment"`
	Admins          []string `json:"admins"`
	Users           []string `json:"users"`
	RequiredContext []string `json:"requiredContext"`
}

// KeyView is a key as the API shows it.
type KeyView struct {
	Alias           string     `json:"alias"`
	KeyID           string     `json:"keyId"`
	KeyARN          string     `json:"keyArn"`
	Description     string     `json:"description,omitempty"`
	Environment     string     `json:"environment"`
	Admins          []string   `json:"admins"`
	Users           []string   `json:"users"`
	RequiredContext []string   `json:"requiredContext"`
	State           string     `json:"state"`
	RotationEnabled *bool      `json:"rotationEnabled,omitempty"`
	DeletionDate    *time.Time `json:"deletionDate,omitempty"`
	CreatedAt       string     `json:"createdAt"`
	CreatedBy       string     `json:"createdBy"`
	LastUse         *Use       `json:"lastUse,omitempty"`
}

func viewOf(k table.KeyItem) KeyView {
	return KeyView{
		Alias: "alias/" + k.Alias, KeyID: k.KeyID, KeyARN: k.KeyARN, Description: k.Description,
		Environment: k.Environment, Admins: nonNil(k.Admins), Users: nonNil(k.Users),
		RequiredContext: nonNil(k.RequiredContext), State: k.State, CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var (
	environmentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	contextKeyRE  = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,128}$`)
)

func (in *createKeyRequest) validate() (string, error) {
	alias, err := normalizeAlias("alias", in.Alias)
	if err != nil {
		return "", err
	}
	if !environmentRE.MatchString(in.Environment) {
		return "", badRequest("environment is required: 1–32 of a-z, 0-9 and '-' (one key per environment)")
	}
	if len(in.Description) > 8192 {
		return "", badRequest("description is longer than 8192 characters")
	}
	if err := validPrincipals("admins", in.Admins); err != nil {
		return "", err
	}
	if err := validPrincipals("users", in.Users); err != nil {
		return "", err
	}
	if len(in.RequiredContext) > 10 {
		return "", badRequest("requiredContext: at most 10 keys")
	}
	for _, k := range in.RequiredContext {
		if !contextKeyRE.MatchString(k) {
			return "", badRequest("requiredContext: keys are 1–128 of letters, digits and _.:/-")
		}
	}
	return alias, nil
}

// createKey: POST /v1/keys → a symmetric CMK with automatic rotation, its alias and
// a least-privilege key policy; registered in the table.
func (h *Handler) createKey(ctx context.Context, r *request) (response, error) {
	var in createKeyRequest
	if err := decodeJSON(r.body, &in); err != nil {
		return response{}, err
	}
	alias, err := in.validate()
	if err != nil {
		return response{}, err
	}
	if env := h.cfg.Environment; env != "" && in.Environment != env {
		return response{}, badRequest("environment must be %q: this deployment manages only its own environment's keys", env)
	}
	policy, err := KeyPolicy(h.cfg.Partition, h.cfg.AccountID, in.Admins, in.Users, in.RequiredContext)
	if err != nil {
		return response{}, err
	}
	if err := h.authorize(ctx, r, ActKeyCreate, resKey, alias); err != nil {
		return response{}, err
	}
	now := h.cfg.Now()
	item := table.NewKeyItem(alias)
	item.Description, item.Environment = in.Description, in.Environment
	item.Admins, item.Users, item.RequiredContext = in.Admins, in.Users, in.RequiredContext
	item.State, item.CreatedAt, item.CreatedBy = StateCreating, table.KeyopsTime(now), r.caller
	if err := h.store.ClaimKey(ctx, item); err != nil {
		return response{}, err
	}
	keyID, keyARN, err := h.createCMK(ctx, alias, in.Description, in.Environment, policy)
	if err != nil {
		if derr := h.store.DeleteKey(context.WithoutCancel(ctx), alias); derr != nil {
			err = errors.Join(err, derr)
		}
		return response{}, err
	}
	item.SetKeyID(keyID, keyARN)
	item.State, item.UpdatedAt = StateEnabled, table.KeyopsTime(now)
	if err := h.store.PutKey(ctx, item); err != nil {
		return response{}, err
	}
	h.forgetKey(item)
	v := viewOf(item)
	v.RotationEnabled = aws.Bool(true)
	return created(v)
}

// createCMK makes the key, turns rotation on and points the alias at it; a key left
// half-made is scheduled for deletion (it was never used).
func (h *Handler) createCMK(ctx context.Context, alias, desc, env string, policy PolicyDocument) (string, string, error) {
	ck, err := h.kms.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String(desc),
		KeySpec:     kmstypes.KeySpecSymmetricDefault,
		KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
		Policy:      aws.String(policy.JSON()),
		Tags: []kmstypes.Tag{
			{TagKey: aws.String("keyward:environment"), TagValue: aws.String(env)},
			{TagKey: aws.String("keyward:alias"), TagValue: aws.String(alias)},
		},
	})
	if err != nil {
		return "", "", fmt.Errorf("create key for alias/%s: %w", alias, err)
	}
	keyID, keyARN := aws.ToString(ck.KeyMetadata.KeyId), aws.ToString(ck.KeyMetadata.Arn)
	undo := func(cause error) (string, string, error) {
		_, derr := h.kms.ScheduleKeyDeletion(context.WithoutCancel(ctx), &kms.ScheduleKeyDeletionInput{
			KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7),
		})
		if derr != nil {
			cause = errors.Join(cause, fmt.Errorf("%w: unused key %s left behind: %w", ErrInternal, keyID, derr))
		}
		return "", "", cause
	}
	if _, err := h.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID)}); err != nil {
		return undo(fmt.Errorf("enable rotation of %s: %w", keyID, err))
	}
	if _, err := h.kms.CreateAlias(ctx, &kms.CreateAliasInput{
		AliasName: aws.String("alias/" + alias), TargetKeyId: aws.String(keyID),
	}); err != nil {
		return undo(fmt.Errorf("create alias/%s: %w", alias, err))
	}
	return keyID, keyARN, nil
}

// listKeys: GET /v1/keys → the registered keys the caller may read.
func (h *Handler) listKeys(ctx context.Context, r *request) (response, error) {
	p, _, err := h.policy(ctx, r.principal)
	if err != nil {
		return response{}, err
	}
	if !mayReadSomeKey(p) {
		return response{}, h.authorize(ctx, r, ActKeyRead, resKey, "*") // logs, counts and denies
	}
	items, err := h.store.ListKeys(ctx)
	if err != nil {
		return response{}, err
	}
	out := []KeyView{}
	for _, k := range items {
		if k.KeyARN != "" && Decide(p, ActKeyRead, resKey, k.Alias) {
			out = append(out, viewOf(k))
		}
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "authz decision",
		slog.String("principal", r.principal), slog.String("action", ActKeyRead),
		slog.String("resource", "key:*"), slog.Bool("allowed", true),
		slog.Int("visible", len(out)), slog.String("apiRequestId", r.requestID))
	h.metrics.decision(ActKeyRead, true)
	r.action, r.resource, r.authorized = ActKeyRead, "key:*", true
	return ok(map[string]any{"keys": out})
}

// getKey: GET /v1/keys/{alias} → state and rotation from KMS, last use from the
// audit store and keyops' own records.
func (h *Handler) getKey(ctx context.Context, r *request) (response, error) {
	k, err := h.keyFromPath(ctx, r, ActKeyRead)
	if err != nil {
		return response{}, err
	}
	v := viewOf(k)
	d, err := h.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.KeyARN)})
	if err != nil {
		return response{}, fmt.Errorf("describe alias/%s: %w", k.Alias, err)
	}
	v.State = string(d.KeyMetadata.KeyState)
	v.DeletionDate = d.KeyMetadata.DeletionDate
	if d.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		rs, err := h.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(k.KeyARN)})
		if err != nil {
			return response{}, fmt.Errorf("rotation status of alias/%s: %w", k.Alias, err)
		}
		v.RotationEnabled = aws.Bool(rs.KeyRotationEnabled)
	}
	if u, found, err := h.lastUse(ctx, k); err != nil {
		return response{}, err
	} else if found {
		v.LastUse = &u
	}
	return ok(v)
}

// keyFromPath validates the {alias} path parameter, authorizes action on it and
// reads its registry item (uncached: lifecycle calls need the current state).
func (h *Handler) keyFromPath(ctx context.Context, r *request, action string) (table.KeyItem, error) {
	alias, err := normalizeAlias("alias", r.params["alias"])
	if err != nil {
		return table.KeyItem{}, err
	}
	if err := h.authorize(ctx, r, action, resKey, alias); err != nil {
		return table.KeyItem{}, err
	}
	k, found, err := h.store.GetKey(ctx, alias)
	if err != nil {
		return k, err
	}
	if !found || k.KeyARN == "" {
		return k, notFound("key alias/%s is not registered with keyops", alias)
	}
	return k, nil
}

// mayReadSomeKey reports whether any statement grants key:read on some alias.
func mayReadSomeKey(p table.PolicyItem) bool {
	for _, st := range p.Statements {
		if len(st.Keys) > 0 && matchAny(st.Actions, ActKeyRead, matchAction) {
			return true
		}
	}
	return false
}
