package secrets

import (
	"context"

	"github.com/keyward/keyward/localstack/awsapi"
)

type deleteSecretInput struct {
	SecretId                   string
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery *bool
}

type deleteSecretOutput struct {
	ARN          string `json:"ARN"`
	Name         string `json:"Name"`
	DeletionDate *epoch `json:"DeletionDate"`
}

// deleteSecret schedules deletion after a 7–30 day recovery window (default 30)
// or, with ForceDeleteWithoutRecovery, deletes at once; not both.
func (s *Service) deleteSecret(_ context.Context, call *awsapi.Call) (any, error) {
	var in deleteSecretInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	if force && in.RecoveryWindowInDays != nil {
		return nil, errParam("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(30)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < 7 || days > 30 {
			return nil, errParam("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if force {
		s.remove(sec)
		return deleteSecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: ts(now)}, nil
	}
	if sec.deleted() {
		return nil, errRequest("You can't perform this operation on the secret because it was already scheduled for deletion.")
	}
	sec.DeletionDate = now.AddDate(0, 0, int(days))
	s.deleting[sec.ARN] = sec
	return deleteSecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: ts(sec.DeletionDate)}, nil
}

func (s *Service) restoreSecret(_ context.Context, call *awsapi.Call) (any, error) {
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
	sec.DeletionDate = timeZero
	delete(s.deleting, sec.ARN)
	sec.LastChanged = s.now()
	return secretRef{ARN: sec.ARN, Name: sec.Name}, nil
}
