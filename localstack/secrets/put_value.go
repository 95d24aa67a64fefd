package secrets

import (
	"context"
	"slices"

	"github.com/keyward/keyward/localstack/awsapi"
)

type putSecretValueInput struct {
	SecretId           string
	ClientRequestToken *string
	SecretString       *string
	SecretBinary       []byte
	VersionStages      []string
}

type putSecretValueOutput struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionId     string   `json:"VersionId"`
	VersionStages []string `json:"VersionStages"`
}

func (s *Service) putSecretValue(ctx context.Context, call *awsapi.Call) (any, error) {
	var in putSecretValueInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	val := value{String: in.SecretString, Binary: in.SecretBinary}
	if err := firstErr(val.check(), checkToken(in.ClientRequestToken), checkStages(in.VersionStages)); err != nil {
		return nil, err
	}
	if val.empty() {
		return nil, errRequest("You must provide either SecretString or SecretBinary.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookupLive(in.SecretId)
	if err != nil {
		return nil, err
	}
	v, perr := s.putVersion(ctx, sec, deref(in.ClientRequestToken), val, in.VersionStages)
	if perr != nil {
		return nil, perr
	}
	return putSecretValueOutput{ARN: sec.ARN, Name: sec.Name, VersionId: v.ID, VersionStages: slices.Clone(v.Stages)}, nil
}

func checkStages(stages []string) *awsapi.Error {
	if stages == nil {
		return nil
	}
	if len(stages) == 0 {
		return errMinLength("versionStages", 1)
	}
	if len(stages) > 20 {
		return errLength("versionStages", 20)
	}
	for _, l := range stages {
		if l == "" {
			return errMinLength("versionStages.member", 1)
		}
		if len(l) > 256 {
			return errLength("versionStages.member", 256)
		}
	}
	return nil
}

// putVersion stores val as version token (a new UUID when empty) of sec and
// attaches stages (AWSCURRENT when nil). A token that already names a version
// with the same value is a no-op; with another value it is refused. A version
// RotateSecret created without a value is filled in. Nothing changes on error.
// The caller holds s.mu.
func (s *Service) putVersion(ctx context.Context, sec *secret, token string, val value, stages []string) (*version, error) {
	if token == "" {
		token = awsapi.NewUUID()
	}
	existing, ok := sec.Versions[token]
	if ok && existing.Value != nil {
		same, err := s.sameValue(ctx, sec, existing, val)
		if err != nil {
			return nil, err
		}
		if !same {
			return nil, errExists("You can't modify an existing version, you can only create a new version.")
		}
		return existing, nil
	}
	v, err := s.seal(ctx, sec, sec.keyID(), token, val)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if ok {
		existing.Value, existing.Binary, existing.KeyARN = v.Value, v.Binary, v.KeyARN
		v = existing
	} else {
		sec.Seq++
		v.Seq, v.Created = sec.Seq, now
		sec.Versions[token] = v
	}
	if stages == nil {
		stages = []string{stageCurrent}
	}
	for _, l := range stages {
		if l == stageCurrent {
			sec.makeCurrent(v)
		} else {
			sec.addStage(v, l)
		}
	}
	if sec.stageOwner(stageCurrent) == nil {
		sec.addStage(v, stageCurrent) // the first version of a secret is always AWSCURRENT
	}
	sec.LastChanged = now
	sec.prune()
	return v, nil
}
