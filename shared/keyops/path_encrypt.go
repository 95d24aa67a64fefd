package keyops

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"

	"github.com/aws/smithy-go"

	"github.com/keyward/keyward/shared/table"
)

type encryptRequest struct {
	Key       string            `json:"key"`
	Plaintext string            `json:"plaintext"`
	Context   map[string]string `json:"context"`
}

type ciphertextResponse struct {
	Ciphertext string `json:"ciphertext"`
	Key        string `json:"key"`
	KeyARN     string `json:"keyArn"`
}

// encrypt: POST /v1/encrypt → an ESDK message under the key's CMK, with cached
// data keys (shared/envelope's caching materials manager).
func (h *Handler) encrypt(ctx context.Context, r *request) (response, error) {
	var in encryptRequest
	if err := decodeJSON(r.body, &in); err != nil {
		return response{}, err
	}
	alias, err := normalizeAlias("key", in.Key)
	if err != nil {
		return response{}, err
	}
	if in.Plaintext == "" {
		return response{}, badRequest("plaintext is required (base64)")
	}
	pt, err := decodeB64("plaintext", in.Plaintext)
	if err != nil {
		return response{}, err
	}
	if err := validContext("context", in.Context); err != nil {
		return response{}, err
	}
	if err := h.authorize(ctx, r, ActEncrypt, resKey, alias); err != nil {
		return response{}, err
	}
	k, err := h.usable(ctx, alias)
	if err != nil {
		return response{}, err
	}
	if m := missingContext(k.RequiredContext, in.Context); m != "" {
		return response{}, newError(ErrBadRequest, "MissingContext", "context: key alias/%s requires context key %q", alias, m)
	}
	if err := h.recordUse(ctx, k, r, OpEncrypt); err != nil {
		return response{}, err
	}
	msg, err := h.env.Encrypt(ctx, k.KeyARN, pt, in.Context)
	if err != nil {
		return response{}, fmt.Errorf("%w: encrypt under alias/%s: %w", ErrInternal, alias, err)
	}
	return ok(ciphertextResponse{Ciphertext: base64.StdEncoding.EncodeToString(msg), Key: "alias/" + alias, KeyARN: k.KeyARN})
}

type decryptRequest struct {
	Ciphertext string            `json:"ciphertext"`
	Context    map[string]string `json:"context"`
}

type decryptResponse struct {
	Plaintext string            `json:"plaintext"`
	Key       string            `json:"key"`
	Context   map[string]string `json:"context"`
}

// decrypt: POST /v1/decrypt → the plaintext, after checking that the caller may
// decrypt under the message's key and supplied every context key the key requires.
func (h *Handler) decrypt(ctx context.Context, r *request) (response, error) {
	var in decryptRequest
	if err := decodeJSON(r.body, &in); err != nil {
		return response{}, err
	}
	msg, err := decodeB64("ciphertext", in.Ciphertext)
	if err != nil {
		return response{}, err
	}
	if err := validContext("context", in.Context); err != nil {
		return response{}, err
	}
	hdr, err := h.header(msg)
	if err != nil {
		return response{}, err
	}
	k, err := h.messageKey(ctx, r, hdr, ActDecrypt)
	if err != nil {
		return response{}, err
	}
	if m := missingContext(k.RequiredContext, in.Context); m != "" {
		return response{}, newError(ErrBadRequest, "MissingContext", "context: key alias/%s requires context key %q", k.Alias, m)
	}
	if k.State != StateEnabled {
		return response{}, conflict("KeyNotEnabled", "key alias/%s is %s", k.Alias, k.State)
	}
	if err := h.recordUse(ctx, k, r, OpDecrypt); err != nil {
		return response{}, err
	}
	pt, err := h.env.Decrypt(ctx, msg, []string{k.KeyARN}, in.Context)
	if err != nil {
		return response{}, decryptErr(err)
	}
	ec := make(map[string]string, len(hdr.EncryptionContext))
	for key, v := range hdr.EncryptionContext {
		if key != "aws-crypto-public-key" {
			ec[key] = v
		}
	}
	return ok(decryptResponse{Plaintext: base64.StdEncoding.EncodeToString(pt), Key: "alias/" + k.Alias, Context: ec})
}

type rewrapRequest struct {
	Ciphertext string `json:"ciphertext"`
	Key        string `json:"key"`
}

// rewrap: POST /v1/rewrap → the same message with its data key re-wrapped under
// another CMK and the header rebuilt; the body is never decrypted.
func (h *Handler) rewrap(ctx context.Context, r *request) (response, error) {
	var in rewrapRequest
	if err := decodeJSON(r.body, &in); err != nil {
		return response{}, err
	}
	msg, err := decodeB64("ciphertext", in.Ciphertext)
	if err != nil {
		return response{}, err
	}
	alias, err := normalizeAlias("key", in.Key)
	if err != nil {
		return response{}, err
	}
	hdr, err := h.header(msg)
	if err != nil {
		return response{}, err
	}
	from, err := h.messageKey(ctx, r, hdr, ActRewrap)
	if err != nil {
		return response{}, err
	}
	if err := h.authorize(ctx, r, ActRewrap, resKey, alias); err != nil {
		return response{}, err
	}
	to, err := h.usable(ctx, alias)
	if err != nil {
		return response{}, err
	}
	if m := missingContext(to.RequiredContext, hdr.EncryptionContext); m != "" {
		return response{}, newError(ErrBadRequest, "MissingContext", "the message lacks context key %q that alias/%s requires", m, alias)
	}
	if from.State != StateEnabled {
		return response{}, conflict("KeyNotEnabled", "key alias/%s is %s", from.Alias, from.State)
	}
	for _, k := range []table.KeyItem{from, to} {
		if err := h.recordUse(ctx, k, r, OpReEncrypt); err != nil {
			return response{}, err
		}
	}
	out, err := h.env.Rewrap(ctx, msg, []string{from.KeyARN}, to.KeyARN)
	if err != nil {
		return response{}, decryptErr(err)
	}
	return ok(ciphertextResponse{Ciphertext: base64.StdEncoding.EncodeToString(out), Key: "alias/" + alias, KeyARN: to.KeyARN})
}

func (h *Handler) header(msg []byte) (MessageHeader, error) {
	hdr, err := h.env.Header(msg)
	if err != nil {
		return hdr, newError(ErrBadRequest, "InvalidCiphertext", "ciphertext is not a valid encrypted message")
	}
	if len(hdr.KeyARNs) == 0 {
		return hdr, newError(ErrBadRequest, "InvalidCiphertext", "ciphertext has no AWS KMS encrypted data key")
	}
	return hdr, nil
}

// messageKey picks the registered key of a message that the caller may use for
// action: 404 if no key of the message is registered, 403 if none is allowed.
func (h *Handler) messageKey(ctx context.Context, r *request, hdr MessageHeader, action string) (table.KeyItem, error) {
	var denied error
	for _, arn := range hdr.KeyARNs {
		k, found, err := h.byKeyARN(ctx, arn)
		if err != nil {
			return k, err
		}
		if !found {
			continue
		}
		if err := h.authorize(ctx, r, action, resKey, k.Alias); err != nil {
			denied = err
			continue
		}
		return k, nil
	}
	if denied != nil {
		return table.KeyItem{}, denied
	}
	return table.KeyItem{}, notFound("the message is not encrypted under a key registered with keyops")
}

// decryptErr keeps KMS errors (throttling, disabled key) and transport failures as
// they are and turns every other failure into one opaque 400: the message,
// context or key did not authenticate.
func decryptErr(err error) error {
	var api smithy.APIError
	var nerr net.Error
	if errors.As(err, &api) || errors.As(err, &nerr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("decrypt: %w", err)
	}
	return newError(ErrBadRequest, "DecryptFailed", "the message could not be decrypted with this key and context")
}
