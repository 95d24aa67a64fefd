package keyops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/keyward/keyward/shared/table"
)

// grantOperations are the grant operations keyops hands out (symmetric keys only;
// no CreateGrant, so a grantee cannot pass its access on).
var grantOperations = map[string]kmstypes.GrantOperation{
	"Encrypt":                         kmstypes.GrantOperationEncrypt,
	"Decrypt":                         kmstypes.GrantOperationDecrypt,
	"GenerateDataKey":                 kmstypes.GrantOperationGenerateDataKey,
	"GenerateDataKeyWithoutPlaintext": kmstypes.GrantOperationGenerateDataKeyWithoutPlaintext,
	"ReEncryptFrom":                   kmstypes.GrantOperationReEncryptFrom,
	"ReEncryptTo":                     kmstypes.GrantOperationReEncryptTo,
	"DescribeKey":                     kmstypes.GrantOperationDescribeKey,
}

// MaxGrantLifetime bounds expiresAt.
const MaxGrantLifetime = 366 * 24 * time.Hour

type grantConstraints struct {
	EncryptionContextEquals map[string]string `json:"encryptionContextEquals,omitempty"`
	EncryptionContextSubset map[string]string `json:"encryptionContextSubset,omitempty"`
}

type createGrantRequest struct {
	Grantee     string            `json:"grantee"`
	Operations  []string          `json:"operations"`
	Constraints *grantConstraints `json:"constraints"`
	ExpiresAt   *time.Time        `json:"expiresAt"`
}

// GrantView is a grant as the API shows it.
type GrantView struct {
	GrantID     string            `json:"grantId"`
	GrantToken  string            `json:"grantToken,omitempty"`
	Grantee     string            `json:"grantee"`
	Operations  []string          `json:"operations"`
	Constraints *grantConstraints `json:"constraints,omitempty"`
	ExpiresAt   *time.Time        `json:"expiresAt,omitempty"`
	CreatedAt   *time.Time        `json:"createdAt,omitempty"`
	CreatedBy   string            `json:"createdBy,omitempty"`
}

// createGrant: POST /v1/keys/{alias}/grants. KMS grants never expire: keyops records
// expiresAt and revokes the grant after it (on list, on create, and by the sweep).
func (h *Handler) createGrant(ctx context.Context, r *request) (response, error) {
	var in createGrantRequest
	if err := decodeJSON(r.body, &in); err != nil {
		return response{}, err
	}
	if err := validPrincipals("grantee", []string{in.Grantee}); err != nil {
		return response{}, err
	}
	if len(in.Operations) == 0 {
		return response{}, badRequest("operations: at least one operation is required")
	}
	var ops []kmstypes.GrantOperation
	for _, op := range in.Operations {
		g, ok := grantOperations[op]
		if !ok {
			return response{}, badRequest("operations: %q is not a grantable operation", truncate(op, 40))
		}
		ops = append(ops, g)
	}
	now := h.cfg.Now()
	var expires time.Time
	if in.ExpiresAt != nil {
		expires = in.ExpiresAt.UTC()
		if !expires.After(now) || expires.Sub(now) > MaxGrantLifetime {
			return response{}, badRequest("expiresAt must be in the future and within 366 days")
		}
	}
	var cons *kmstypes.GrantConstraints
	if c := in.Constraints; c != nil {
		if len(c.EncryptionContextEquals) > 0 && len(c.EncryptionContextSubset) > 0 {
			return response{}, badRequest("constraints: use encryptionContextEquals or encryptionContextSubset, not both")
		}
		for _, ec := range []map[string]string{c.EncryptionContextEquals, c.EncryptionContextSubset} {
			if err := validContext("constraints", ec); err != nil {
				return response{}, err
			}
		}
		cons = &kmstypes.GrantConstraints{EncryptionContextEquals: c.EncryptionContextEquals, EncryptionContextSubset: c.EncryptionContextSubset}
	}
	k, err := h.keyFromPath(ctx, r, ActGrantCreate)
	if err != nil {
		return response{}, err
	}
	if _, err := h.sweepKey(ctx, k.Alias); err != nil {
		return response{}, err
	}
	res, err := h.kms.CreateGrant(ctx, &kms.CreateGrantInput{
		KeyId: aws.String(k.KeyARN), GranteePrincipal: aws.String(in.Grantee),
		Operations: ops, Constraints: cons,
		Name: aws.String("keyops-" + now.UTC().Format("20060102T150405Z")),
	})
	if err != nil {
		return response{}, fmt.Errorf("create grant on alias/%s: %w", k.Alias, err)
	}
	grantID := aws.ToString(res.GrantId)
	g := table.NewGrantItem(k.Alias, grantID, expires)
	g.KeyID, g.Grantee, g.Operations = k.KeyID, in.Grantee, in.Operations
	g.CreatedAt, g.CreatedBy = table.KeyopsTime(now), r.caller
	if err := h.store.PutGrant(ctx, g); err != nil {
		// an unrecorded grant would never expire: take it back
		if _, rerr := h.kms.RevokeGrant(context.WithoutCancel(ctx), &kms.RevokeGrantInput{KeyId: aws.String(k.KeyARN), GrantId: res.GrantId}); rerr != nil {
			err = errors.Join(err, fmt.Errorf("revoke unrecorded grant %s: %w", grantID, rerr))
		}
		return response{}, err
	}
	v := GrantView{GrantID: grantID, GrantToken: aws.ToString(res.GrantToken), Grantee: in.Grantee,
		Operations: in.Operations, Constraints: in.Constraints, CreatedAt: &now, CreatedBy: r.caller}
	if !expires.IsZero() {
		v.ExpiresAt = &expires
	}
	return created(v)
}

// listGrants: GET /v1/keys/{alias}/grants → the key's grants (from KMS, with the
// recorded expiry), after revoking the expired ones.
func (h *Handler) listGrants(ctx context.Context, r *request) (response, error) {
	k, err := h.keyFromPath(ctx, r, ActGrantList)
	if err != nil {
		return response{}, err
	}
	if _, err := h.sweepKey(ctx, k.Alias); err != nil {
		return response{}, err
	}
	recs, err := h.store.Grants(ctx, k.Alias)
	if err != nil {
		return response{}, err
	}
	byID := map[string]table.GrantItem{}
	for _, g := range recs {
		byID[g.GrantID] = g
	}
	out := []GrantView{}
	in := &kms.ListGrantsInput{KeyId: aws.String(k.KeyARN)}
	for {
		page, err := h.kms.ListGrants(ctx, in)
		if err != nil {
			return response{}, fmt.Errorf("list grants of alias/%s: %w", k.Alias, err)
		}
		for _, g := range page.Grants {
			v := GrantView{GrantID: aws.ToString(g.GrantId), Grantee: aws.ToString(g.GranteePrincipal), CreatedAt: g.CreationDate}
			for _, op := range g.Operations {
				v.Operations = append(v.Operations, string(op))
			}
			if c := g.Constraints; c != nil && (len(c.EncryptionContextEquals) > 0 || len(c.EncryptionContextSubset) > 0) {
				v.Constraints = &grantConstraints{EncryptionContextEquals: c.EncryptionContextEquals, EncryptionContextSubset: c.EncryptionContextSubset}
			}
			if rec, ok := byID[v.GrantID]; ok {
				v.CreatedBy = rec.CreatedBy
				if t, err := table.ParseKeyopsTime(rec.ExpiresAt); err == nil {
					v.ExpiresAt = &t
				}
			}
			out = append(out, v)
		}
		if !page.Truncated || page.NextMarker == nil {
			break
		}
		in.Marker = page.NextMarker
	}
	return ok(map[string]any{"grants": out})
}

// revokeGrant: DELETE /v1/keys/{alias}/grants/{grantId}.
func (h *Handler) revokeGrant(ctx context.Context, r *request) (response, error) {
	id := r.params["grantId"]
	if len(id) < 1 || len(id) > 128 {
		return response{}, badRequest("grantId must be 1–128 characters")
	}
	k, err := h.keyFromPath(ctx, r, ActGrantRevoke)
	if err != nil {
		return response{}, err
	}
	if _, err := h.kms.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(k.KeyARN), GrantId: aws.String(id)}); err != nil {
		return response{}, fmt.Errorf("revoke grant on alias/%s: %w", k.Alias, err)
	}
	if err := h.store.DeleteGrant(ctx, k.Alias, id); err != nil {
		return response{}, err
	}
	return ok(map[string]any{"grantId": id, "revoked": true})
}

// sweepKey revokes the expired grants of one key.
func (h *Handler) sweepKey(ctx context.Context, alias string) (int, error) {
	recs, err := h.store.Grants(ctx, alias)
	if err != nil {
		return 0, err
	}
	now := h.cfg.Now()
	n := 0
	for _, g := range recs {
		t, err := table.ParseKeyopsTime(g.ExpiresAt)
		if err != nil || t.After(now) {
			continue
		}
		if err := h.revokeExpired(ctx, g); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SweepExpiredGrants revokes every grant whose expiry has passed (one gsi1 query);
// the scheduled entry point of the function calls it.
func (h *Handler) SweepExpiredGrants(ctx context.Context) (int, error) {
	recs, err := h.store.ExpiredGrants(ctx, h.cfg.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, g := range recs {
		if err := h.revokeExpired(ctx, g); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func (h *Handler) revokeExpired(ctx context.Context, g table.GrantItem) error {
	_, err := h.kms.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(g.KeyID), GrantId: aws.String(g.GrantID)})
	var api smithy.APIError
	if err != nil && !(errors.As(err, &api) && (api.ErrorCode() == "NotFoundException" || api.ErrorCode() == "InvalidGrantIdException")) {
		return fmt.Errorf("revoke expired grant %s of alias/%s: %w", g.GrantID, g.Alias, err)
	}
	if err := h.store.DeleteGrant(ctx, g.Alias, g.GrantID); err != nil {
		return err
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "expired grant revoked",
		slog.String("alias", g.Alias), slog.String("grantId", g.GrantID), slog.String("expiresAt", g.ExpiresAt))
	return nil
}
