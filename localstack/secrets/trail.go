package secrets

import (
	"encoding/json"
	"unicode"
	"unicode/utf8"

	"github.com/keyward/keyward/localstack/awsapi"
)

const resourceType = "AWS::SecretsManager::Secret"

var readOnly = map[string]bool{
	"DescribeSecret": true, "GetSecretValue": true, "ListSecretVersionIds": true,
	"ListSecrets": true, "BatchGetSecretValue": true, "GetRandomPassword": true, "GetResourcePolicy": true,
}

// hidden are request members CloudTrail never records.
var hidden = map[string]bool{"SecretString": true, "SecretBinary": true}

// TrailDetails implements awsapi.Traced: request parameters as CloudTrail records
// them (lower-camel names, never a secret value), the ARN, name and version id of
// write calls, and the secret as the record's resource.
func (s *Service) TrailDetails(call *awsapi.Call, out any, err error) awsapi.TrailDetails {
	d := awsapi.TrailDetails{
		ReadOnly: readOnly[call.Operation], ManagementEvent: true, EventCategory: "Management",
		RequestParameters: requestParameters(call.Body),
	}
	arn := ""
	if r, ok := out.(referrer); ok && err == nil {
		var name, versionID string
		arn, name, versionID = r.ref()
		if !d.ReadOnly && arn != "" {
			d.ResponseElements = map[string]any{"arn": arn}
			if call.Operation == "CreateSecret" {
				d.ResponseElements["name"] = name
			}
			if versionID != "" {
				d.ResponseElements["versionId"] = versionID
			}
		}
	}
	if arn == "" {
		if id, ok := d.RequestParameters["secretId"].(string); ok {
			s.mu.Lock()
			if sec, lerr := s.lookup(id); lerr == nil {
				arn = sec.ARN
			}
			s.mu.Unlock()
		}
	}
	if arn != "" {
		d.Resources = []awsapi.Resource{{ARN: arn, AccountID: s.opts.AccountID, Type: resourceType}}
	}
	return d
}

// requestParameters turns a JSON request body into CloudTrail's
// requestParameters, dropping secret values at every level.
func requestParameters(body []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil || len(m) == 0 {
		return nil
	}
	return camel(m).(map[string]any)
}

func camel(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if hidden[k] {
				continue
			}
			out[lowerFirst(k)] = camel(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = camel(x)
		}
		return out
	default:
		return v
	}
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
