package kms

import (
	"encoding/json"

	"github.com/keyward/keyward/localstack/awsapi"
)

// checkPolicy accepts a JSON object of at most 32 KiB with a Statement. Policies
// are stored and returned, not evaluated: the local endpoint does not authorize.
func checkPolicy(p string) error {
	if len(p) > 32768 {
		return lengthAtMost("policy", 32768)
	}
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(p), &doc); err != nil || len(doc.Statement) == 0 {
		return kmsErr("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

func checkPolicyName(name string) error {
	if name != "" && name != "default" {
		return kmsErr("NotFoundException", "No such policy exists: %s", name)
	}
	return nil
}

func (s *Service) getKeyPolicy(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID      string `json:"KeyId"`
		PolicyName string
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if err := checkPolicyName(in.PolicyName); err != nil {
			return nil, err
		}
		return map[string]any{"Policy": k.Policy, "PolicyName": "default"}, nil
	})
}

func (s *Service) putKeyPolicy(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID                          string `json:"KeyId"`
		PolicyName                     string
		Policy                         string
		BypassPolicyLockoutSafetyCheck bool
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if err := checkPolicyName(in.PolicyName); err != nil {
			return nil, err
		}
		if in.Policy == "" {
			return nil, required("policy")
		}
		if err := checkPolicy(in.Policy); err != nil {
			return nil, err
		}
		if k.Manager == "AWS" {
			return nil, kmsErr("UnsupportedOperationException", "%s is an AWS managed key", k.ARN)
		}
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		k.Policy = in.Policy
		return nil, s.save()
	})
}

func (s *Service) listKeyPolicies(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID string `json:"KeyId"`
		pageInput
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if _, _, _, err := page(in.pageInput, 1); err != nil {
			return nil, err
		}
		return map[string]any{"PolicyNames": []string{"default"}, "Truncated": false}, nil
	})
}
