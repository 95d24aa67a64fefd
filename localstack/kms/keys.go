package kms

import (
	"strconv"

	"github.com/keyward/keyward/localstack/awsapi"
)

type keyMetadata struct {
	AWSAccountID          string   `json:"AWSAccountId"`
	KeyID                 string   `json:"KeyId"`
	Arn                   string   `json:"Arn"`
	CreationDate          epoch    `json:"CreationDate"`
	Enabled               bool     `json:"Enabled"`
	Description           string   `json:"Description"`
	KeyUsage              string   `json:"KeyUsage"`
	KeyState              string   `json:"KeyState"`
	DeletionDate          *epoch   `json:"DeletionDate,omitempty"`
	Origin                string   `json:"Origin"`
	KeyManager            string   `json:"KeyManager"`
	CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
	KeySpec               string   `json:"KeySpec"`
	EncryptionAlgorithms  []string `json:"EncryptionAlgorithms"`
	MultiRegion           bool     `json:"MultiRegion"`
	CurrentKeyMaterialID  string   `json:"CurrentKeyMaterialId"`
}

func metadata(k *key) keyMetadata {
	return keyMetadata{
		AWSAccountID: k.AccountID, KeyID: k.KeyID, Arn: k.ARN, CreationDate: epoch(k.Created),
		Enabled: k.State == stateEnabled, Description: k.Description, KeyUsage: usageEncryptDecrypt,
		KeyState: k.State, DeletionDate: epochPtr(k.DeletionDate), Origin: "AWS_KMS", KeyManager: k.Manager,
		CustomerMasterKeySpec: specSymmetric, KeySpec: specSymmetric, EncryptionAlgorithms: []string{algSymmetric},
		CurrentKeyMaterialID: k.current().ID,
	}
}

type createKeyInput struct {
	Policy                         string
	Description                    string
	KeyUsage                       string
	CustomerMasterKeySpec          string
	KeySpec                        string
	Origin                         string
	CustomKeyStoreID               string `json:"CustomKeyStoreId"`
	BypassPolicyLockoutSafetyCheck bool
	Tags                           []tag
	MultiRegion                    bool
	XksKeyID                       string `json:"XksKeyId"`
}

func (s *Service) createKey(call *awsapi.Call) (any, error) {
	var in createKeyInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if len(in.Description) > 8192 {
		return nil, lengthAtMost("description", 8192)
	}
	if in.KeyUsage != "" && in.KeyUsage != usageEncryptDecrypt {
		return nil, kmsErr("UnsupportedOperationException", "KeyUsage %s is not supported by the local endpoint", in.KeyUsage)
	}
	for _, spec := range []string{in.KeySpec, in.CustomerMasterKeySpec} {
		if spec != "" && spec != specSymmetric {
			return nil, kmsErr("UnsupportedOperationException", "KeySpec %s is not supported by the local endpoint", spec)
		}
	}
	if in.Origin != "" && in.Origin != "AWS_KMS" {
		return nil, kmsErr("UnsupportedOperationException", "Origin %s is not supported by the local endpoint", in.Origin)
	}
	if in.CustomKeyStoreID != "" {
		return nil, kmsErr("CustomKeyStoreNotFoundException", "Custom key store %s does not exist", in.CustomKeyStoreID)
	}
	if in.MultiRegion {
		return nil, kmsErr("UnsupportedOperationException", "multi-Region keys are not supported by the local endpoint")
	}
	if in.Policy != "" {
		if err := checkPolicy(in.Policy); err != nil {
			return nil, err
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.newKey(call.Region, in.Description, "CUSTOMER")
	if in.Policy != "" {
		k.Policy = in.Policy
	}
	k.Tags = mergeTags(nil, in.Tags)
	if err := s.save(); err != nil {
		return nil, err
	}
	return map[string]any{"KeyMetadata": metadata(k)}, nil
}

type keyIDInput struct {
	KeyID       string   `json:"KeyId"`
	GrantTokens []string `json:"GrantTokens"`
}

func (s *Service) describeKey(call *awsapi.Call) (any, error) {
	var in keyIDInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.lookup(call.Region, in.KeyID, resolveOpts{aliases: true})
	if err != nil {
		return nil, err
	}
	return map[string]any{"KeyMetadata": metadata(k)}, nil
}

type pageInput struct {
	Limit  *int
	Marker string
}

// page returns the [start, end) window of n items and the next marker.
func page(in pageInput, n int) (start, end int, next string, err error) {
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 1000 {
			return 0, 0, "", rangeErr("limit", *in.Limit, 1, 1000)
		}
		limit = *in.Limit
	}
	if in.Marker != "" {
		start, err = strconv.Atoi(in.Marker)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", kmsErr("InvalidMarkerException", "Invalid marker: %s", in.Marker)
		}
	}
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

func paged(out map[string]any, next string) map[string]any {
	out["Truncated"] = next != ""
	if next != "" {
		out["NextMarker"] = next
	}
	return out
}

func (s *Service) listKeys(call *awsapi.Call) (any, error) {
	var in pageInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type entry struct{ KeyId, KeyArn string }
	var all []entry
	for _, id := range s.order {
		if k, ok := s.keys[id]; ok && !s.expire(k) {
			all = append(all, entry{k.KeyID, k.ARN})
		}
	}
	start, end, next, err := page(in, len(all))
	if err != nil {
		return nil, err
	}
	return paged(map[string]any{"Keys": append([]entry{}, all[start:end]...)}, next), nil
}

// changeState runs fn on a key of this account's customer managed keys.
func (s *Service) changeState(call *awsapi.Call, fn func(k *key) (any, error)) (any, error) {
	var in keyIDInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.lookup(call.Region, in.KeyID, resolveOpts{})
	if err != nil {
		return nil, err
	}
	if k.Manager == "AWS" {
		return nil, kmsErr("UnsupportedOperationException", "%s is an AWS managed key", k.ARN)
	}
	out, err := fn(k)
	if err != nil {
		return nil, err
	}
	return out, s.save()
}

func (s *Service) enableKey(call *awsapi.Call) (any, error) {
	return s.changeState(call, func(k *key) (any, error) {
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		k.State = stateEnabled
		return nil, nil
	})
}

func (s *Service) disableKey(call *awsapi.Call) (any, error) {
	return s.changeState(call, func(k *key) (any, error) {
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		k.State = stateDisabled
		return nil, nil
	})
}

func (s *Service) scheduleKeyDeletion(call *awsapi.Call) (any, error) {
	var in struct{ PendingWindowInDays *int }
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	days := 30
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
		if days < 7 || days > 30 {
			return nil, rangeErr("pendingWindowInDays", days, 7, 30)
		}
	}
	return s.changeState(call, func(k *key) (any, error) {
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		// KMS deletes at the end of the day the window ends, in UTC.
		d := s.now().AddDate(0, 0, days)
		k.State, k.DeletionDate, k.PendingWindow = statePendingDeletion, &d, days
		return map[string]any{"KeyId": k.ARN, "DeletionDate": epoch(d), "KeyState": statePendingDeletion,
			"PendingWindowInDays": days}, nil
	})
}

func (s *Service) cancelKeyDeletion(call *awsapi.Call) (any, error) {
	return s.changeState(call, func(k *key) (any, error) {
		if k.State != statePendingDeletion {
			return nil, kmsErr("KMSInvalidStateException", "%s is not pending deletion.", k.ARN)
		}
		// The API reference: a key whose deletion is cancelled is Disabled.
		k.State, k.DeletionDate, k.PendingWindow = stateDisabled, nil, 0
		return map[string]any{"KeyId": k.ARN}, nil
	})
}

func (s *Service) updateKeyDescription(call *awsapi.Call) (any, error) {
	var in struct{ Description *string }
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if in.Description == nil {
		return nil, required("description")
	}
	if len(*in.Description) > 8192 {
		return nil, lengthAtMost("description", 8192)
	}
	return s.changeState(call, func(k *key) (any, error) {
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		k.Description = *in.Description
		return nil, nil
	})
}

// withKey decodes a request and runs fn on the resolved key under the lock.
func (s *Service) withKey(call *awsapi.Call, in any, id func() string, o resolveOpts, fn func(k *key) (any, error)) (any, error) {
	if err := decode(call, in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.lookup(call.Region, id(), o)
	if err != nil {
		return nil, err
	}
	return fn(k)
}
