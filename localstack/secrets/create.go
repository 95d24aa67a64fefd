package secrets

import (
	"context"

	"github.com/keyward/keyward/localstack/awsapi"
)

type createSecretInput struct {
	Name               string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretString       *string
	SecretBinary       []byte
	Tags               []Tag
}

type secretRef struct {
	ARN       string  `json:"ARN"`
	Name      string  `json:"Name"`
	VersionId *string `json:"VersionId,omitempty"`
}

func (s *Service) createSecret(ctx context.Context, call *awsapi.Call) (any, error) {
	var in createSecretInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if err := validName(in.Name); err != nil {
		return nil, err
	}
	val := value{String: in.SecretString, Binary: in.SecretBinary}
	if err := firstErr(val.check(), checkToken(in.ClientRequestToken), checkDescription(in.Description),
		checkKeyID(in.KmsKeyId), checkTags(in.Tags)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purge(s.now())
	if old, ok := s.byName[in.Name]; ok {
		if old.deleted() {
			return nil, errRequest("You can't create this secret because a secret with this name is already scheduled for deletion.")
		}
		if retry, err := s.sameCreate(ctx, old, in.ClientRequestToken, val); err != nil || retry {
			if err != nil {
				return nil, err
			}
			return secretRef{ARN: old.ARN, Name: old.Name, VersionId: in.ClientRequestToken}, nil
		}
		return nil, errExists("The operation failed because the secret %s already exists.", in.Name)
	}
	now := s.now()
	sec := &secret{
		ARN: s.arnFor(in.Name), Name: in.Name, Description: deref(in.Description), KmsKeyID: deref(in.KmsKeyId),
		Created: now, LastChanged: now, Tags: in.Tags, Versions: map[string]*version{},
	}
	out := secretRef{ARN: sec.ARN, Name: sec.Name}
	if !val.empty() {
		vid := deref(in.ClientRequestToken)
		if vid == "" {
			vid = awsapi.NewUUID()
		}
		v, err := s.seal(ctx, sec, sec.keyID(), vid, val)
		if err != nil {
			return nil, err
		}
		sec.Seq++
		v.Seq, v.Created, v.Stages = sec.Seq, now, []string{stageCurrent}
		sec.Versions[vid] = v
		out.VersionId = &vid
	}
	s.add(sec)
	return out, nil
}

// sameCreate reports whether a CreateSecret for an existing secret is a retry of
// the call that created it: same ClientRequestToken, same value. AWS ignores
// such a retry (the SDK sends one when a response is lost).
func (s *Service) sameCreate(ctx context.Context, sec *secret, token *string, val value) (bool, error) {
	if token == nil || val.empty() {
		return false, nil
	}
	v, ok := sec.Versions[*token]
	if !ok || v.Value == nil {
		return false, nil
	}
	return s.sameValue(ctx, sec, v, val)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// firstErr returns the first non-nil validation error.
func firstErr(errs ...*awsapi.Error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func checkToken(t *string) *awsapi.Error {
	if t == nil {
		return nil
	}
	if len(*t) < 32 {
		return errMinLength("clientRequestToken", 32)
	}
	if len(*t) > 64 {
		return errLength("clientRequestToken", 64)
	}
	return nil
}

func checkDescription(d *string) *awsapi.Error {
	if d != nil && len(*d) > 2048 {
		return errLength("description", 2048)
	}
	return nil
}

func checkKeyID(k *string) *awsapi.Error {
	if k != nil && len(*k) > 2048 {
		return errLength("kmsKeyId", 2048)
	}
	if k != nil && *k == "" {
		return errMinLength("kmsKeyId", 1)
	}
	return nil
}
