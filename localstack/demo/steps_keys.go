package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

var demoContext = map[string]string{"tenant": "acme"}

func (w *Walk) createKey(ctx context.Context) error {
	var k struct {
		KeyARN string `json:"keyArn"`
		State  string `json:"state"`
	}
	_, err := w.api.call(ctx, http.MethodPost, "/v1/keys", map[string]any{
		"alias": w.Alias, "description": "keyward demo: orders", "environment": string(w.cfg.Env),
		"requiredContext": []string{"tenant"},
	}, http.StatusCreated, &k)
	if err != nil {
		return err
	}
	if k.KeyARN == "" || k.State != "Enabled" {
		return fmt.Errorf("created key has arn %q state %q, want an ARN and Enabled", k.KeyARN, k.State)
	}
	w.KeyARN = k.KeyARN
	w.say("POST /v1/keys → %s (%s), rotation on, least-privilege policy", w.Alias, k.KeyARN)
	return nil
}

func (w *Walk) encryptDecrypt(ctx context.Context) error {
	w.Plaintext = []byte("card 4111 1111 1111 1111, order " + w.cfg.Suffix)
	var enc struct {
		Ciphertext string `json:"ciphertext"`
	}
	if _, err := w.api.call(ctx, http.MethodPost, "/v1/encrypt",
		map[string]any{"key": w.Alias, "plaintext": b64(w.Plaintext), "context": demoContext}, http.StatusOK, &enc); err != nil {
		return err
	}
	ct, err := base64.StdEncoding.DecodeString(enc.Ciphertext)
	if err != nil || len(ct) == 0 || bytes.Contains(ct, w.Plaintext) {
		return fmt.Errorf("ciphertext is not base64 of an encrypted message (err %v)", err)
	}
	w.Ciphertext = enc.Ciphertext
	w.say("POST /v1/encrypt → %d-byte AWS Encryption SDK message (data key wrapped by %s)", len(ct), w.Alias)
	var dec struct {
		Plaintext string `json:"plaintext"`
	}
	if _, err := w.api.call(ctx, http.MethodPost, "/v1/decrypt",
		map[string]any{"ciphertext": w.Ciphertext, "context": demoContext}, http.StatusOK, &dec); err != nil {
		return err
	}
	if dec.Plaintext != b64(w.Plaintext) {
		return fmt.Errorf("decrypt returned %q, want the plaintext back", dec.Plaintext)
	}
	w.say("POST /v1/decrypt → the plaintext back")
	if err := w.directDecrypt(ctx); err != nil {
		return fmt.Errorf("kms:Decrypt of the message's data key as %s: %w", appAccessKey, err)
	}
	w.say("an application (user/alice) unwraps the message's data key with kms:Decrypt directly → ok")
	r, err := w.api.do(ctx, http.MethodPost, "/v1/decrypt", map[string]any{"ciphertext": w.Ciphertext,
		"context": map[string]string{"tenant": "evil"}})
	if err != nil {
		return err
	}
	if r.status/100 != 4 {
		return fmt.Errorf("decrypt with the wrong context: want a 4xx: %s", r)
	}
	w.say("POST /v1/decrypt with another tenant's context → %d %s", r.status, r.errorCode())
	return nil
}

func (w *Walk) deletionRefused(ctx context.Context) error {
	r, err := w.api.call(ctx, http.MethodPost, "/v1/keys/"+w.shortAlias()+"/schedule-deletion",
		map[string]any{"days": 7}, http.StatusConflict, nil)
	if err != nil {
		return err
	}
	if c := r.errorCode(); c != "KeyNotDisabled" && c != "KeyInUse" {
		return fmt.Errorf("want KeyNotDisabled or KeyInUse: %s", r)
	}
	w.say("POST /v1/keys/%s/schedule-deletion → 409 %s: %s", w.shortAlias(), r.errorCode(), clip(r.body))
	return nil
}

func (w *Walk) disable(ctx context.Context) error {
	r, err := w.api.do(ctx, http.MethodPost, "/v1/keys/"+w.shortAlias()+"/disable", nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusConflict {
		return fmt.Errorf("disable without force of a key used seconds ago: want 409: %s", r)
	}
	w.say("POST …/disable → 409 %s (used seconds ago: force and a reason required)", r.errorCode())
	var k struct {
		State string `json:"state"`
	}
	if _, err := w.api.call(ctx, http.MethodPost, "/v1/keys/"+w.shortAlias()+"/disable",
		map[string]any{"force": true, "reason": "demo: orders move to a new key"}, http.StatusOK, &k); err != nil {
		return err
	}
	if k.State != "Disabled" {
		return fmt.Errorf("state after disable is %q, want Disabled", k.State)
	}
	w.say("POST …/disable {force, reason} → Disabled")
	r, err = w.api.call(ctx, http.MethodPost, "/v1/keys/"+w.shortAlias()+"/schedule-deletion",
		map[string]any{"days": 7}, http.StatusConflict, nil)
	if err != nil {
		return err
	}
	if r.errorCode() != "KeyInUse" {
		return fmt.Errorf("deletion of a disabled key used seconds ago: want 409 KeyInUse: %s", r)
	}
	w.say("POST …/schedule-deletion again → 409 KeyInUse: %s", clip(r.body))
	return nil
}

func (w *Walk) decryptFails(ctx context.Context) error {
	r, err := w.api.do(ctx, http.MethodPost, "/v1/decrypt", map[string]any{"ciphertext": w.Ciphertext, "context": demoContext})
	if err != nil {
		return err
	}
	if r.status/100 != 4 {
		return fmt.Errorf("decrypt under a disabled key: want a 4xx: %s", r)
	}
	w.say("POST /v1/decrypt → %d %s (keyops refuses before calling KMS)", r.status, r.errorCode())
	err = w.directDecrypt(ctx)
	var disabled *kmstypes.DisabledException
	if !errors.As(err, &disabled) {
		return fmt.Errorf("direct kms:Decrypt under the disabled key: want DisabledException, got %v", err)
	}
	w.say("the application's direct kms:Decrypt → DisabledException")
	// The failure reaches the audit store through CloudTrail → audit function.
	var last string
	err = poll(ctx, 30*time.Second, 250*time.Millisecond, func() (bool, error) {
		var a struct {
			Events []struct {
				Name      string `json:"name"`
				ErrorCode string `json:"errorCode"`
			} `json:"events"`
		}
		res, err := w.api.call(ctx, http.MethodGet, "/v1/audit?resource="+w.Alias, nil, http.StatusOK, &a)
		if err != nil {
			return false, err
		}
		last = clip(res.body)
		disabled, failed := false, false
		for _, e := range a.Events {
			disabled = disabled || e.Name == "DisableKey"
			failed = failed || (e.Name == "Decrypt" && e.ErrorCode != "")
		}
		return disabled && failed, nil
	})
	if err != nil {
		return fmt.Errorf("audit trail of %s never showed DisableKey and the failed Decrypt: %w (last: %s)", w.Alias, err, last)
	}
	w.say("the audit function stored DisableKey and the failed Decrypt (CloudTrail tap → audit bootstrap)")
	return nil
}

func clip(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
