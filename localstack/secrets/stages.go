package secrets

import (
	"context"
	"slices"

	"github.com/keyward/keyward/localstack/awsapi"
)

type updateSecretVersionStageInput struct {
	SecretId            string
	VersionStage        string
	MoveToVersionId     *string
	RemoveFromVersionId *string
}

func (s *Service) updateSecretVersionStage(_ context.Context, call *awsapi.Call) (any, error) {
	var in updateSecretVersionStageInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if in.VersionStage == "" {
		return nil, errMinLength("versionStage", 1)
	}
	if len(in.VersionStage) > 256 {
		return nil, errLength("versionStage", 256)
	}
	if err := firstErr(checkToken(in.MoveToVersionId), checkToken(in.RemoveFromVersionId)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookupLive(in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := sec.moveStage(in.VersionStage, in.MoveToVersionId, in.RemoveFromVersionId); err != nil {
		return nil, err
	}
	sec.LastChanged = s.now()
	return secretRef{ARN: sec.ARN, Name: sec.Name}, nil
}

// moveStage applies UpdateSecretVersionStage's rules: a label attached elsewhere
// moves only when RemoveFromVersionId names its current version; AWSCURRENT can
// be moved but never removed, and the version it leaves becomes AWSPREVIOUS.
func (sec *secret) moveStage(label string, moveTo, removeFrom *string) *awsapi.Error {
	owner := sec.stageOwner(label)
	if removeFrom != nil {
		from, ok := sec.Versions[*removeFrom]
		if !ok {
			return errParam("The version %s doesn't exist for the secret %s.", *removeFrom, sec.Name)
		}
		if !slices.Contains(from.Stages, label) {
			return errParam("The staging label %s is not attached to version %s.", label, *removeFrom)
		}
	}
	if moveTo == nil {
		if removeFrom == nil {
			return errParam("You must specify MoveToVersionId, RemoveFromVersionId, or both.")
		}
		if label == stageCurrent {
			return errParam("You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
		}
		sec.Versions[*removeFrom].removeStage(label)
		return nil
	}
	to, ok := sec.Versions[*moveTo]
	if !ok {
		return errParam("The version %s doesn't exist for the secret %s.", *moveTo, sec.Name)
	}
	if owner == to {
		return nil
	}
	if owner != nil && (removeFrom == nil || *removeFrom != owner.ID) {
		return errParam("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", label, owner.ID)
	}
	if label == stageCurrent {
		sec.makeCurrent(to)
	} else {
		sec.addStage(to, label)
	}
	return nil
}
