package kms

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Encrypt implements awsapi.KeyRing: keyID "" means the caller service's AWS
// managed key (alias/aws/<service> of the Call in ctx, else alias/aws/kms).
func (s *Service) Encrypt(ctx context.Context, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, string, error) {
	origin := awsapi.CallFrom(ctx)
	region := s.opts.Region
	if origin != nil && origin.Region != "" {
		region = origin.Region
	}
	if keyID == "" {
		svc := "kms"
		if origin != nil && origin.Service != "" {
			svc = origin.Service
		}
		keyID = "alias/aws/" + svc
	}
	call := s.internalCall(origin, region, "Encrypt", map[string]any{
		"KeyId": keyID, "Plaintext": plaintext, "EncryptionContext": encCtx})
	out, err := s.encrypt(call)
	s.record(call, out, err)
	if err != nil {
		return nil, "", err
	}
	m := out.(map[string]any)
	return m["CiphertextBlob"].([]byte), m["KeyId"].(string), nil
}

// Decrypt implements awsapi.KeyRing.
func (s *Service) Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) ([]byte, string, error) {
	origin := awsapi.CallFrom(ctx)
	region := s.opts.Region
	if origin != nil && origin.Region != "" {
		region = origin.Region
	}
	call := s.internalCall(origin, region, "Decrypt", map[string]any{
		"CiphertextBlob": blob, "EncryptionContext": encCtx})
	out, err := s.decrypt(call)
	s.record(call, out, err)
	if err != nil {
		return nil, "", err
	}
	m := out.(map[string]any)
	return m["Plaintext"].([]byte), m["KeyId"].(string), nil
}

// internalCall is the KMS call a service makes on behalf of origin's caller.
func (s *Service) internalCall(origin *awsapi.Call, region, op string, in map[string]any) *awsapi.Call {
	body, _ := json.Marshal(in)
	c := &awsapi.Call{Service: "kms", Operation: op, Region: region, RequestID: awsapi.NewUUID(),
		Time: time.Now().UTC(), Body: body}
	if origin != nil {
		c.Caller = origin.Caller
		c.Caller.InvokedBy = origin.Service + ".amazonaws.com"
	} else {
		c.Caller = awsapi.Caller{AccountID: s.opts.AccountID, Type: "AWSService", InvokedBy: "kms.amazonaws.com"}
	}
	return c
}

func (s *Service) record(call *awsapi.Call, out any, err error) {
	if s.opts.Recorder == nil {
		return
	}
	var e *awsapi.Error
	if err != nil {
		var ok bool
		if e, ok = err.(*awsapi.Error); !ok {
			e = awsapi.NewError(http.StatusInternalServerError, "KMSInternalException", "internal error")
		}
	}
	s.opts.Recorder.APICall(call, s.TrailDetails(call, out, err), e)
}

// blobKeyID reads the key id a base64 ciphertext names, for trail resources.
func blobKeyID(b64 string) string {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return ""
	}
	h, err := parseBlobHeader(raw)
	if err != nil {
		return ""
	}
	return h.KeyID
}
