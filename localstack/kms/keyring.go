package kms

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Encrypt implements awsapi.KeyRing. keyID "" means the calling service's AWS
// managed key (alias/aws/<service> of the Call in ctx, else alias/aws/kms).
//
// Services encrypt with envelope encryption in AWS (Secrets Manager values are
// up to 64 KiB, KMS Encrypt takes 4 KiB), so the KeyRing has no size limit and
// CloudTrail shows the call as the GenerateDataKey AWS records for it.
func (s *Service) Encrypt(ctx context.Context, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, string, error) {
	origin := awsapi.CallFrom(ctx)
	region := s.regionOf(origin)
	if keyID == "" {
		svc := "kms"
		if origin != nil && origin.Service != "" {
			svc = origin.Service
		}
		keyID = "alias/aws/" + svc
	}
	call := s.internalCall(origin, region, "GenerateDataKey", map[string]any{
		"KeyId": keyID, "KeySpec": "AES_256", "EncryptionContext": encCtx})
	blob, k, err := func() ([]byte, *key, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		k, err := s.lookup(region, keyID, resolveOpts{aliases: true})
		if err != nil {
			return nil, nil, err
		}
		blob, err := s.encryptWith(k, plaintext, encCtx)
		return blob, k, err
	}()
	if err != nil {
		s.record(call, nil, err)
		return nil, "", err
	}
	s.record(call, map[string]any{"KeyId": k.ARN}, nil)
	return blob, k.ARN, nil
}

// Decrypt implements awsapi.KeyRing.
func (s *Service) Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) ([]byte, string, error) {
	origin := awsapi.CallFrom(ctx)
	region := s.regionOf(origin)
	// The blob is in the body only so a failed call still names its key in
	// resources[]; CloudTrail parameters never include it.
	call := s.internalCall(origin, region, "Decrypt", map[string]any{
		"EncryptionAlgorithm": algSymmetric, "EncryptionContext": encCtx, "CiphertextBlob": blob})
	s.mu.Lock()
	k, pt, _, err := s.decryptWith(region, blob, encCtx, "")
	s.mu.Unlock()
	if err != nil {
		s.record(call, nil, err)
		return nil, "", err
	}
	s.record(call, map[string]any{"KeyId": k.ARN}, nil)
	return pt, k.ARN, nil
}

func (s *Service) regionOf(origin *awsapi.Call) string {
	if origin != nil && origin.Region != "" {
		return origin.Region
	}
	return s.opts.Region
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
