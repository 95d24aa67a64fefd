package keyops

import (
	"context"
	"encoding/base64"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

type datakeyRequest struct {
	Key           string            `json:"key"`
	Context       map[string]string `json:"context"`
	WithPlaintext bool              `json:"withPlaintext"`
	KeySpec       string            `json:"keySpec"` // AES_256 (default) or AES_128
}

type datakeyResponse struct {
	CiphertextBlob string `json:"ciphertextBlob"`
	Plaintext      string `json:"plaintext,omitempty"`
	Key            string `json:"key"`
	KeyARN         string `json:"keyArn"`
}

// datakey: POST /v1/datakey → a KMS data key for callers that encrypt locally; the
// plaintext key only when withPlaintext is true (GenerateDataKeyWithoutPlaintext
// otherwise, so it can be stored now and decrypted later).
func (h *Handler) datakey(ctx context.Context, r *request) (response, error) {
	var in datakeyRequest
	if err := decodeJSON(r.body, &in); err != nil {
		return response{}, err
	}
	alias, err := normalizeAlias("key", in.Key)
	if err != nil {
		return response{}, err
	}
	spec := kmstypes.DataKeySpecAes256
	switch in.KeySpec {
	case "", "AES_256":
	case "AES_128":
		spec = kmstypes.DataKeySpecAes128
	default:
		return response{}, badRequest("keySpec must be AES_256 or AES_128")
	}
	if err := validContext("context", in.Context); err != nil {
		return response{}, err
	}
	if err := h.authorize(ctx, r, ActDatakey, resKey, alias); err != nil {
		return response{}, err
	}
	k, err := h.usable(ctx, alias)
	if err != nil {
		return response{}, err
	}
	if m := missingContext(k.RequiredContext, in.Context); m != "" {
		return response{}, newError(ErrBadRequest, "MissingContext", "context: key alias/%s requires context key %q", alias, m)
	}
	if err := h.recordUse(ctx, k, r, OpGenerateDataKey); err != nil {
		return response{}, err
	}
	out := datakeyResponse{Key: "alias/" + alias, KeyARN: k.KeyARN}
	if in.WithPlaintext {
		res, err := h.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
			KeyId: aws.String(k.KeyARN), KeySpec: spec, EncryptionContext: in.Context,
		})
		if err != nil {
			return response{}, err
		}
		out.CiphertextBlob = base64.StdEncoding.EncodeToString(res.CiphertextBlob)
		out.Plaintext = base64.StdEncoding.EncodeToString(res.Plaintext)
		clear(res.Plaintext)
	} else {
		res, err := h.kms.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{
			KeyId: aws.String(k.KeyARN), KeySpec: spec, EncryptionContext: in.Context,
		})
		if err != nil {
			return response{}, err
		}
		out.CiphertextBlob = base64.StdEncoding.EncodeToString(res.CiphertextBlob)
	}
	return ok(out)
}
