package secrets

import (
	"context"

	"github.com/keyward/keyward/localstack/awsapi"
)

// secretEntry is DescribeSecret's output and, with SecretVersionsToStages instead
// of VersionIdsToStages, ListSecrets' SecretListEntry.
type secretEntry struct {
	ARN                    string              `json:"ARN"`
	Name                   string              `json:"Name"`
	Description            string              `json:"Description,omitempty"`
	KmsKeyId               string              `json:"KmsKeyId,omitempty"`
	RotationEnabled        bool                `json:"RotationEnabled"`
	RotationLambdaARN      string              `json:"RotationLambdaARN,omitempty"`
	RotationRules          *RotationRules      `json:"RotationRules,omitempty"`
	LastRotatedDate        *epoch              `json:"LastRotatedDate,omitempty"`
	LastChangedDate        *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate       *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate            *epoch              `json:"DeletedDate,omitempty"`
	NextRotationDate       *epoch              `json:"NextRotationDate,omitempty"`
	Tags                   []Tag               `json:"Tags,omitempty"`
	VersionIdsToStages     map[string][]string `json:"VersionIdsToStages,omitempty"`
	SecretVersionsToStages map[string][]string `json:"SecretVersionsToStages,omitempty"`
	CreatedDate            *epoch              `json:"CreatedDate,omitempty"`
}

func (sec *secret) entry() secretEntry {
	return secretEntry{
		ARN: sec.ARN, Name: sec.Name, Description: sec.Description, KmsKeyId: sec.KmsKeyID,
		RotationEnabled: sec.RotationEnabled, RotationLambdaARN: sec.RotationLambdaARN, RotationRules: sec.RotationRules,
		LastRotatedDate: ts(sec.LastRotated), LastChangedDate: ts(sec.LastChanged), LastAccessedDate: ts(day(sec.LastAccessed)),
		DeletedDate: ts(sec.DeletionDate), NextRotationDate: ts(sec.nextRotation()), Tags: sec.Tags,
		CreatedDate: ts(sec.Created),
	}
}

type secretIDInput struct {
	SecretId string
}

func (s *Service) describeSecret(_ context.Context, call *awsapi.Call) (any, error) {
	var in secretIDInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	e := sec.entry()
	e.VersionIdsToStages = sec.versionsToStages()
	return e, nil
}
