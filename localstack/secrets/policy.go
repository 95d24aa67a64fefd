package secrets

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

var timeZero time.Time

const maxPolicyLen = 20480

type putResourcePolicyInput struct {
	SecretId          string
	ResourcePolicy    string
	BlockPublicPolicy *bool
}

type getResourcePolicyOutput struct {
	ARN            string  `json:"ARN"`
	Name           string  `json:"Name"`
	ResourcePolicy *string `json:"ResourcePolicy,omitempty"`
}

func (s *Service) putResourcePolicy(_ context.Context, call *awsapi.Call) (any, error) {
	var in putResourcePolicyInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if in.ResourcePolicy == "" {
		return nil, errMinLength("resourcePolicy", 1)
	}
	if len(in.ResourcePolicy) > maxPolicyLen {
		return nil, errLength("resourcePolicy", maxPolicyLen)
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(in.ResourcePolicy), &doc); err != nil || len(doc.Statement) == 0 {
		return nil, awsapi.NewError(http.StatusBadRequest, "MalformedPolicyDocumentException", "This resource policy contains an unsupported operation or is not valid JSON with a Statement.")
	}
	if in.BlockPublicPolicy != nil && *in.BlockPublicPolicy && doc.public() {
		return nil, awsapi.NewError(http.StatusBadRequest, "PublicPolicyException", "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookupLive(in.SecretId)
	if err != nil {
		return nil, err
	}
	sec.Policy = in.ResourcePolicy
	sec.LastChanged = s.now()
	return secretRef{ARN: sec.ARN, Name: sec.Name}, nil
}

func (s *Service) getResourcePolicy(_ context.Context, call *awsapi.Call) (any, error) {
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
	out := getResourcePolicyOutput{ARN: sec.ARN, Name: sec.Name}
	if sec.Policy != "" {
		p := sec.Policy
		out.ResourcePolicy = &p
	}
	return out, nil
}

func (s *Service) deleteResourcePolicy(_ context.Context, call *awsapi.Call) (any, error) {
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
	sec.Policy = ""
	sec.LastChanged = s.now()
	return secretRef{ARN: sec.ARN, Name: sec.Name}, nil
}

// policyDocument is the part of an IAM policy the public-access check reads.
type policyDocument struct {
	Statement statements `json:"Statement"`
}

type statement struct {
	Effect    string          `json:"Effect"`
	Principal json.RawMessage `json:"Principal"`
	Condition json.RawMessage `json:"Condition"`
}

// statements accepts a single statement object or a list, as IAM does.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	var one statement
	if err := json.Unmarshal(b, &one); err == nil {
		*s = statements{one}
		return nil
	}
	var many []statement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// public is the basic BlockPublicPolicy check: an Allow statement whose principal
// is "*" (or {"AWS":"*"}) and which has no Condition grants broad access.
func (d policyDocument) public() bool {
	for _, st := range d.Statement {
		if st.Effect != "Allow" || len(st.Condition) > 0 && string(st.Condition) != "null" && string(st.Condition) != "{}" {
			continue
		}
		var star string
		if json.Unmarshal(st.Principal, &star) == nil && star == "*" {
			return true
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(st.Principal, &m) == nil {
			for _, v := range m {
				var one string
				var many []string
				if json.Unmarshal(v, &one) == nil && one == "*" {
					return true
				}
				if json.Unmarshal(v, &many) == nil {
					for _, p := range many {
						if p == "*" {
							return true
						}
					}
				}
			}
		}
	}
	return false
}
