package keyops

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-secretsmanager-caching-go/v2/secretcache"
)

var stageRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// MaxSecretValue is Secrets Manager's limit on a secret value.
const MaxSecretValue = 65536

func (h *Handler) secretFromPath(ctx context.Context, r *request, action string) (string, error) {
	name := r.params["name"]
	if err := validSecretName(name); err != nil {
		return "", err
	}
	return name, h.authorize(ctx, r, action, resSecret, name)
}

type secretResponse struct {
	Name  string `json:"name"`
	Stage string `json:"stage"`
	Value string `json:"value"`
}

// getSecret: GET /v1/secrets/{name}?stage= → the value through the caching client
// (aws-secretsmanager-caching-go; TTL from config), AWSCURRENT by default.
func (h *Handler) getSecret(ctx context.Context, r *request) (response, error) {
	stage := r.query["stage"]
	if stage == "" {
		stage = "AWSCURRENT"
	}
	if !stageRE.MatchString(stage) {
		return response{}, badRequest("stage must be 1–256 of letters, digits, '_' and '-'")
	}
	name, err := h.secretFromPath(ctx, r, ActSecretRead)
	if err != nil {
		return response{}, err
	}
	v, err := h.secrets.GetSecretStringWithStageWithContext(ctx, name, stage)
	if err != nil {
		var vnf *secretcache.VersionNotFoundError
		var inv *secretcache.InvalidOperationError
		switch {
		case errors.As(err, &vnf):
			return response{}, notFound("secret %q has no version in stage %s", name, stage)
		case errors.As(err, &inv):
			return response{}, conflict("BinarySecret", "secret %q holds a binary value", name)
		}
		return response{}, fmt.Errorf("read secret %s: %w", name, err)
	}
	return ok(secretResponse{Name: name, Stage: stage, Value: v})
}

type putSecretRequest struct {
	Value  *string  `json:"value"`
	Stages []string `json:"stages"`
}

type versionResponse struct {
	Name      string   `json:"name"`
	VersionID string   `json:"versionId"`
	Stages    []string `json:"stages,omitempty"`
}

// putSecret: PUT /v1/secrets/{name} {value, stages?} → a new version (AWSCURRENT
// unless stages say otherwise). The response never echoes the value.
func (h *Handler) putSecret(ctx context.Context, r *request) (response, error) {
	var in putSecretRequest
	if err := decodeJSON(r.body, &in); err != nil {
		return response{}, err
	}
	if in.Value == nil || *in.Value == "" {
		return response{}, badRequest("value is required")
	}
	if len(*in.Value) > MaxSecretValue {
		return response{}, newError(ErrTooLarge, "PayloadTooLarge", "value exceeds %d bytes", MaxSecretValue)
	}
	if len(in.Stages) > 20 {
		return response{}, badRequest("stages: at most 20")
	}
	for _, s := range in.Stages {
		if !stageRE.MatchString(s) {
			return response{}, badRequest("stages must be 1–256 of letters, digits, '_' and '-'")
		}
	}
	name, err := h.secretFromPath(ctx, r, ActSecretWrite)
	if err != nil {
		return response{}, err
	}
	res, err := h.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(name), SecretString: in.Value, VersionStages: in.Stages,
	})
	if err != nil {
		return response{}, fmt.Errorf("put secret %s: %w", name, err)
	}
	h.secrets.RefreshNowWithContext(ctx, name)
	return ok(versionResponse{Name: name, VersionID: aws.ToString(res.VersionId), Stages: res.VersionStages})
}

// rotateSecret: POST /v1/secrets/{name}/rotate → starts the secret's rotation.
func (h *Handler) rotateSecret(ctx context.Context, r *request) (response, error) {
	if err := decodeOptionalJSON(r.body, &struct{}{}); err != nil {
		return response{}, err
	}
	name, err := h.secretFromPath(ctx, r, ActSecretRotate)
	if err != nil {
		return response{}, err
	}
	res, err := h.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(name), RotateImmediately: aws.Bool(true)})
	if err != nil {
		return response{}, fmt.Errorf("rotate secret %s: %w", name, err)
	}
	return ok(versionResponse{Name: name, VersionID: aws.ToString(res.VersionId)})
}

type secretVersion struct {
	VersionID        string     `json:"versionId"`
	Stages           []string   `json:"stages"`
	CreatedDate      *time.Time `json:"createdDate,omitempty"`
	LastAccessedDate *time.Time `json:"lastAccessedDate,omitempty"`
}

// secretVersions: GET /v1/secrets/{name}/versions → version ids and stages, never values.
func (h *Handler) secretVersions(ctx context.Context, r *request) (response, error) {
	name, err := h.secretFromPath(ctx, r, ActSecretVersions)
	if err != nil {
		return response{}, err
	}
	out := []secretVersion{}
	in := &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name), IncludeDeprecated: aws.Bool(true)}
	for {
		page, err := h.sm.ListSecretVersionIds(ctx, in)
		if err != nil {
			return response{}, fmt.Errorf("list versions of %s: %w", name, err)
		}
		for _, v := range page.Versions {
			out = append(out, secretVersion{VersionID: aws.ToString(v.VersionId), Stages: nonNil(v.VersionStages),
				CreatedDate: v.CreatedDate, LastAccessedDate: v.LastAccessedDate})
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	return ok(map[string]any{"name": name, "versions": out})
}
