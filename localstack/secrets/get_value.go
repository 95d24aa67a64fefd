package secrets

import (
	"context"
	"slices"

	"github.com/keyward/keyward/localstack/awsapi"
)

type getSecretValueInput struct {
	SecretId     string
	VersionId    *string
	VersionStage *string
}

type getSecretValueOutput struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionId     string   `json:"VersionId"`
	SecretString  *string  `json:"SecretString,omitempty"`
	SecretBinary  []byte   `json:"SecretBinary,omitempty"`
	VersionStages []string `json:"VersionStages"`
	CreatedDate   *epoch   `json:"CreatedDate,omitempty"`
}

func (s *Service) getSecretValue(ctx context.Context, call *awsapi.Call) (any, error) {
	var in getSecretValueInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookupLive(in.SecretId)
	if err != nil {
		return nil, err
	}
	v, err := sec.pick(in.VersionId, in.VersionStage)
	if err != nil {
		return nil, err
	}
	plain, perr := s.open(ctx, sec, v)
	if perr != nil {
		return nil, perr
	}
	now := s.now()
	sec.LastAccessed, v.LastAccessed = now, now
	out := getSecretValueOutput{ARN: sec.ARN, Name: sec.Name, VersionId: v.ID, VersionStages: slices.Clone(v.Stages), CreatedDate: ts(v.Created)}
	if v.Binary {
		out.SecretBinary = plain
	} else {
		str := string(plain)
		out.SecretString = &str
	}
	return out, nil
}

// pick finds the version GetSecretValue asks for: by id, by label (default
// AWSCURRENT), or by both, which must then name the same version.
func (sec *secret) pick(versionID, stage *string) (*version, *awsapi.Error) {
	if versionID != nil {
		if err := checkToken(versionID); err != nil {
			return nil, err
		}
		v, ok := sec.Versions[*versionID]
		if !ok || v.Value == nil {
			return nil, notFoundValue("VersionId", *versionID)
		}
		if stage != nil && !slices.Contains(v.Stages, *stage) {
			return nil, notFoundValue("VersionId", *versionID+" and staging label: "+*stage)
		}
		return v, nil
	}
	label := stageCurrent
	if stage != nil {
		if *stage == "" {
			return nil, errMinLength("versionStage", 1)
		}
		if len(*stage) > 256 {
			return nil, errLength("versionStage", 256)
		}
		label = *stage
	}
	v := sec.stageOwner(label)
	if v == nil || v.Value == nil {
		return nil, notFoundValue("staging label", label)
	}
	return v, nil
}

func notFoundValue(what, id string) *awsapi.Error {
	e := errNotFound()
	e.Message = "Secrets Manager can't find the specified secret value for " + what + ": " + id
	return e
}
