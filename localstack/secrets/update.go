package secrets

import (
	"context"
	"slices"

	"github.com/keyward/keyward/localstack/awsapi"
)

type updateSecretInput struct {
	SecretId           string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretString       *string
	SecretBinary       []byte
}

func (s *Service) updateSecret(ctx context.Context, call *awsapi.Call) (any, error) {
	var in updateSecretInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	val := value{String: in.SecretString, Binary: in.SecretBinary}
	if err := firstErr(val.check(), checkToken(in.ClientRequestToken), checkDescription(in.Description), checkKeyID(in.KmsKeyId)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookupLive(in.SecretId)
	if err != nil {
		return nil, err
	}
	out := secretRef{ARN: sec.ARN, Name: sec.Name}
	if v, ok := sec.Versions[deref(in.ClientRequestToken)]; ok && v.Value != nil && !val.empty() {
		// refuse a conflicting token before anything is re-encrypted
		same, err := s.sameValue(ctx, sec, v, val)
		if err != nil {
			return nil, err
		}
		if !same {
			return nil, errExists("You can't modify an existing version, you can only create a new version.")
		}
	}
	if in.KmsKeyId != nil && *in.KmsKeyId != sec.keyID() {
		if err := s.reencrypt(ctx, sec, *in.KmsKeyId); err != nil {
			return nil, err
		}
	}
	if !val.empty() {
		v, err := s.putVersion(ctx, sec, deref(in.ClientRequestToken), val, nil)
		if err != nil {
			return nil, err
		}
		out.VersionId = &v.ID
	}
	if in.Description != nil { // last: a failed value leaves the description alone
		sec.Description = *in.Description
	}
	sec.LastChanged = s.now()
	return out, nil
}

// reencrypt moves sec to keyID, re-encrypting the AWSCURRENT, AWSPENDING and
// AWSPREVIOUS versions as Secrets Manager does; all or nothing.
func (s *Service) reencrypt(ctx context.Context, sec *secret, keyID string) error {
	type sealed struct {
		v   *version
		new *version
	}
	var done []sealed
	for _, v := range sec.Versions {
		if v.Value == nil || !slices.ContainsFunc(v.Stages, func(l string) bool {
			return l == stageCurrent || l == stagePending || l == stagePrevious
		}) {
			continue
		}
		plain, err := s.open(ctx, sec, v)
		if err != nil {
			return err
		}
		nv, err := s.seal(ctx, sec, keyID, v.ID, value{Binary: plain})
		if err != nil {
			return err
		}
		done = append(done, sealed{v, nv})
	}
	if len(done) == 0 { // nothing to re-encrypt: still check the key can encrypt
		if _, err := s.seal(ctx, sec, keyID, "probe", value{Binary: []byte{0}}); err != nil {
			return err
		}
	}
	for _, d := range done {
		d.v.Value, d.v.KeyARN = d.new.Value, d.new.KeyARN
	}
	if keyID == DefaultKeyID {
		keyID = ""
	}
	sec.KmsKeyID = keyID
	return nil
}
