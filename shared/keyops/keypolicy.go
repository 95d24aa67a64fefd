package keyops

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Key policy template: least privilege by role.
//   - the account root statement (the seeds require it: without it a key whose
//     administrators are deleted can never be managed again, and IAM policies could
//     not grant keyops itself access);
//   - administrators may manage the key but never use it for cryptography;
//   - users may use the key (with the required encryption context keys) but never
//     administer it; they may grant use only to AWS services.
var (
	adminActions = []string{
		"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
		"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
		"kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
	}
	cryptoActions = []string{
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
	}
	userGrantActions = []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}
)

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of a key policy.
type PolicyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal map[string][]string          `json:"Principal"`
	Action    []string                     `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// KeyPolicy builds the least-privilege policy of a new key. Administrators and users
// must be disjoint; requiredContext keys become a condition on every cryptographic
// use (kms:EncryptionContext:<key> must be present).
func KeyPolicy(partition, accountID string, admins, users, requiredContext []string) (PolicyDocument, error) {
	for _, a := range admins {
		if slices.Contains(users, a) {
			return PolicyDocument{}, badRequest("%s cannot be both administrator and user of a key", truncate(a, 80))
		}
	}
	doc := PolicyDocument{Version: "2012-10-17", Statement: []PolicyStatement{{
		Sid: "EnableRootAccountPermissions", Effect: "Allow",
		Principal: map[string][]string{"AWS": {fmt.Sprintf("arn:%s:iam::%s:root", partition, accountID)}},
		Action:    []string{"kms:*"}, Resource: "*",
	}}}
	if len(admins) > 0 {
		doc.Statement = append(doc.Statement, PolicyStatement{
			Sid: "AllowKeyAdministration", Effect: "Allow",
			Principal: map[string][]string{"AWS": admins}, Action: adminActions, Resource: "*",
		})
	}
	if len(users) > 0 {
		use := PolicyStatement{
			Sid: "AllowCryptographicUse", Effect: "Allow",
			Principal: map[string][]string{"AWS": users}, Action: cryptoActions, Resource: "*",
		}
		if len(requiredContext) > 0 {
			null := map[string]string{}
			for _, k := range requiredContext {
				null["kms:EncryptionContext:"+k] = "false"
			}
			use.Condition = map[string]map[string]string{"Null": null}
		}
		doc.Statement = append(doc.Statement, use,
			PolicyStatement{
				Sid: "AllowDescribeKey", Effect: "Allow",
				Principal: map[string][]string{"AWS": users}, Action: []string{"kms:DescribeKey"}, Resource: "*",
			},
			PolicyStatement{
				Sid: "AllowGrantsForAWSResources", Effect: "Allow",
				Principal: map[string][]string{"AWS": users}, Action: userGrantActions, Resource: "*",
				Condition: map[string]map[string]string{"Bool": {"kms:GrantIsForAWSResource": "true"}},
			})
	}
	return doc, nil
}

// JSON renders the policy for CreateKey.
func (d PolicyDocument) JSON() string {
	b, _ := json.Marshal(d)
	return string(b)
}
