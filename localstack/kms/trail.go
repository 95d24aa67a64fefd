package kms

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Fields CloudTrail never records: key material, plaintext, ciphertext and
// grant tokens (bearer credentials).
var secretFields = map[string]bool{
	"Plaintext": true, "CiphertextBlob": true, "GrantToken": true, "GrantTokens": true,
	"Recipient": true,
}

// readOnlyOps are the operations CloudTrail marks readOnly for KMS (the
// cryptographic operations included: they change no resource).
var readOnlyOps = map[string]bool{
	"DescribeKey": true, "ListKeys": true, "ListAliases": true, "GetKeyPolicy": true, "ListKeyPolicies": true,
	"GetKeyRotationStatus": true, "ListKeyRotations": true, "ListGrants": true, "ListRetirableGrants": true,
	"ListResourceTags": true, "Encrypt": true, "Decrypt": true, "ReEncrypt": true, "GenerateDataKey": true,
	"GenerateDataKeyWithoutPlaintext": true, "GenerateRandom": true,
}

// TrailDetails implements awsapi.Traced: what CloudTrail records about a KMS call.
func (s *Service) TrailDetails(call *awsapi.Call, out any, err error) awsapi.TrailDetails {
	var in map[string]any
	_ = json.Unmarshal(call.Body, &in)
	d := awsapi.TrailDetails{
		RequestParameters: cloudTrailParams(in),
		ReadOnly:          readOnlyOps[call.Operation],
		ManagementEvent:   true,
		EventCategory:     "Management",
		Resources:         s.trailResources(call, in, out),
	}
	if err == nil {
		d.ResponseElements = responseElements(call.Operation, out)
	}
	return d
}

// cloudTrailParams converts request members to CloudTrail's lowerCamel names,
// leaving user data (encryption context keys) as they are and dropping secrets.
func cloudTrailParams(in map[string]any) map[string]any {
	if len(in) == 0 {
		return nil
	}
	out := map[string]any{}
	for k, v := range in {
		if secretFields[k] {
			continue
		}
		out[lowerFirst(k)] = camelValue(k, v)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func camelValue(name string, v any) any {
	if strings.Contains(name, "EncryptionContext") {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range t {
			m[lowerFirst(k)] = camelValue(k, x)
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = camelValue(name, x)
		}
		return out
	}
	return v
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	// "KeyId" → "keyId", "AWSAccountId" → "aWSAccountId" is avoided below.
	if strings.HasPrefix(s, "AWS") {
		return "aws" + s[3:]
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// trailResources lists the keys a call touched: from the response when it
// succeeded, else from the identifiers in the request.
func (s *Service) trailResources(call *awsapi.Call, in map[string]any, out any) []awsapi.Resource {
	var arns []string
	add := func(a string) {
		for _, x := range arns {
			if x == a {
				return
			}
		}
		if a != "" {
			arns = append(arns, a)
		}
	}
	if m, ok := out.(map[string]any); ok {
		for _, f := range []string{"SourceKeyId", "KeyId"} {
			if v, ok := m[f].(string); ok && strings.HasPrefix(v, "arn:") {
				add(v)
			}
		}
		if md, ok := m["KeyMetadata"].(keyMetadata); ok {
			add(md.Arn)
		}
	}
	if len(arns) == 0 {
		s.mu.Lock()
		for _, f := range []string{"KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId"} {
			if v, ok := in[f].(string); ok {
				add(s.peekARN(call.Region, v))
			}
		}
		if v, ok := in["CiphertextBlob"].(string); ok {
			if id := blobKeyID(v); id != "" {
				if k, ok := s.keys[id]; ok {
					add(k.ARN)
				}
			}
		}
		if v, ok := in["GrantToken"].(string); ok {
			if kid, _, err := parseGrantToken(v); err == nil {
				add(s.peekARN(call.Region, kid))
			}
		}
		s.mu.Unlock()
	}
	if call.Operation == "ReEncrypt" {
		if v, ok := in["DestinationKeyId"].(string); ok {
			s.mu.Lock()
			add(s.peekARN(call.Region, v))
			s.mu.Unlock()
		}
	}
	res := make([]awsapi.Resource, 0, len(arns))
	for _, a := range arns {
		res = append(res, awsapi.Resource{ARN: a, AccountID: s.opts.AccountID, Type: "AWS::KMS::Key"})
	}
	if len(res) == 0 {
		return nil
	}
	return res
}

// peekARN resolves an identifier to a key ARN without side effects. Callers hold s.mu.
func (s *Service) peekARN(region, id string) string {
	if strings.HasPrefix(id, "arn:") && strings.Contains(id, ":key/") {
		return id
	}
	name := id
	if i := strings.Index(id, ":alias/"); i >= 0 {
		name = id[i+1:]
	}
	if a, ok := s.aliases[name]; ok {
		id = a.KeyID
	}
	if k, ok := s.keys[id]; ok {
		return k.ARN
	}
	return ""
}

// responseElements are what CloudTrail records of a KMS response: nothing for
// the cryptographic operations (they would leak data) and for most reads.
func responseElements(op string, out any) map[string]any {
	m, _ := out.(map[string]any)
	switch op {
	case "CreateKey":
		md, ok := m["KeyMetadata"].(keyMetadata)
		if !ok {
			return nil
		}
		return map[string]any{"keyMetadata": map[string]any{
			"aWSAccountId": md.AWSAccountID, "keyId": md.KeyID, "arn": md.Arn,
			"creationDate": cloudTrailDate(time.Time(md.CreationDate)), "enabled": md.Enabled,
			"description": md.Description, "keyUsage": md.KeyUsage, "keyState": md.KeyState,
			"origin": md.Origin, "keyManager": md.KeyManager, "customerMasterKeySpec": md.CustomerMasterKeySpec,
			"keySpec": md.KeySpec, "encryptionAlgorithms": md.EncryptionAlgorithms, "multiRegion": md.MultiRegion,
		}}
	case "ScheduleKeyDeletion":
		if m == nil {
			return nil
		}
		return map[string]any{"keyId": m["KeyId"], "deletionDate": cloudTrailDate(time.Time(m["DeletionDate"].(epoch))),
			"keyState": m["KeyState"], "pendingWindowInDays": m["PendingWindowInDays"]}
	case "CancelKeyDeletion", "RotateKeyOnDemand":
		if m == nil {
			return nil
		}
		return map[string]any{"keyId": m["KeyId"]}
	case "CreateGrant":
		if m == nil {
			return nil
		}
		return map[string]any{"grantId": m["GrantId"]}
	}
	return nil
}

// cloudTrailDate is the date format KMS's CloudTrail records use, e.g.
// "Dec 2, 2026, 5:31:55 AM".
func cloudTrailDate(t time.Time) string { return t.UTC().Format("Jan 2, 2006, 3:04:05 PM") }

// blobKeyID reads the key id a base64 ciphertext names, for trail resources.
func blobKeyID(b64 string) string {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return ""
	}
	h, err := parseBlobHeader(raw)
	if err != nil {
		return ""
	}
	return h.KeyID
}
