package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func init() { registerFunction("rotation", newRotation) }

// contextRotation configures the rotation function per environment:
//
//	"keyward:rotation": {"prod": {
//	  "automaticallyAfterDays": 30,
//	  "apiKeyRevokeGrace": "2m",
//	  "secrets": [{"arn": "arn:aws:secretsmanager:…:secret:app/db-AbCdEf",
//	               "kmsKeyArn": "arn:aws:kms:…:key/…",
//	               "relatedSecretArns": ["arn:…:secret:app/db-master-XyZ123"]}],
//	  "vpc": {"subnetIds": ["subnet-…"], "securityGroupIds": ["sg-…"]}}}
const contextRotation = "keyward:rotation"

// RotationConfig is one environment's rotation settings.
type RotationConfig struct {
	AutomaticallyAfterDays int             `json:"automaticallyAfterDays"` // default 30
	APIKeyRevokeGrace      string          `json:"apiKeyRevokeGrace"`      // Go duration, e.g. "2m"
	PasswordLength         int             `json:"passwordLength"`         // default 32
	Secrets                []RotatedSecret `json:"secrets"`
	VPC                    *RotationVPC    `json:"vpc"`
}

// RotatedSecret is a secret the function rotates.
type RotatedSecret struct {
	ARN                    string   `json:"arn"`                    // complete ARN (with the 6-character suffix) preferred
	KMSKeyARN              string   `json:"kmsKeyArn"`              // customer managed key of the secret, if any
	RelatedSecretARNs      []string `json:"relatedSecretArns"`      // master secret / API provider credential: read only
	RelatedKMSKeyARNs      []string `json:"relatedKmsKeyArns"`      // their customer managed keys, if any
	AutomaticallyAfterDays int      `json:"automaticallyAfterDays"` // overrides the environment's default
}

// RotationVPC places the function in a VPC (to reach private databases). It then
// needs a Secrets Manager interface endpoint (com.amazonaws.<region>.secretsmanager)
// or a NAT gateway to call Secrets Manager, and a DynamoDB gateway endpoint (or
// NAT) for the ledger.
type RotationVPC struct {
	SubnetIDs        []string `json:"subnetIds"`
	SecurityGroupIDs []string `json:"securityGroupIds"`
}

func rotationConfig(scope constructs.Construct, env string) RotationConfig {
	c := RotationConfig{AutomaticallyAfterDays: 30}
	raw := scope.Node().TryGetContext(jsii.String(contextRotation))
	if raw == nil {
		return c
	}
	b, _ := json.Marshal(raw)
	var byEnv map[string]RotationConfig
	if err := json.Unmarshal(b, &byEnv); err != nil {
		panic(fmt.Sprintf("infra: context %s: %v", contextRotation, err))
	}
	if e, ok := byEnv[env]; ok {
		if e.AutomaticallyAfterDays == 0 {
			e.AutomaticallyAfterDays = c.AutomaticallyAfterDays
		}
		c = e
	}
	for _, s := range c.Secrets {
		if !strings.HasPrefix(s.ARN, "arn:") || !strings.Contains(s.ARN, ":secretsmanager:") {
			panic(fmt.Sprintf("infra: %s: %q is not a Secrets Manager ARN", contextRotation, s.ARN))
		}
	}
	if c.AutomaticallyAfterDays < 1 || c.AutomaticallyAfterDays > 1000 {
		panic(fmt.Sprintf("infra: %s: automaticallyAfterDays must be 1–1000", contextRotation))
	}
	return c
}

// importSecret imports a configured secret; a complete ARN gives exact IAM
// resources, a partial one the "-??????" pattern.
func importSecret(scope constructs.Construct, id, arn, keyARN string) awssecretsmanager.ISecret {
	attrs := &awssecretsmanager.SecretAttributes{}
	if parts := strings.Split(arn, "-"); len(parts) > 1 && len(parts[len(parts)-1]) == 6 {
		attrs.SecretCompleteArn = jsii.String(arn)
	} else {
		attrs.SecretPartialArn = jsii.String(arn)
	}
	if keyARN != "" {
		attrs.EncryptionKey = awskms.Key_FromKeyArn(scope, jsii.String(id+"Key"), jsii.String(keyARN))
	}
	return awssecretsmanager.Secret_FromSecretAttributes(scope, jsii.String(id), attrs)
}

// newRotation is the Secrets Manager rotation function, a RotationSchedule per
// configured secret, and grants limited to those secrets: describe, read, put
// and stage its own secrets; read only the related (master, provider) ones;
// GetRandomPassword (no resource scope exists); PutItem on the ledger table.
func newRotation(scope constructs.Construct, p *FunctionProps) {
	cfg := rotationConfig(scope, p.Env.Name)
	env := map[string]string{}
	if cfg.APIKeyRevokeGrace != "" {
		env["API_KEY_REVOKE_GRACE"] = cfg.APIKeyRevokeGrace
	}
	if cfg.PasswordLength != 0 {
		env["PASSWORD_LENGTH"] = fmt.Sprint(cfg.PasswordLength)
	}
	fn := newGoFunction(scope, "Rotation", p, goFunctionOptions{
		Name:        "rotation",
		Description: "Secrets Manager rotation: PostgreSQL, MySQL/MariaDB, HTTP API keys",
		Timeout:     awscdk.Duration_Minutes(jsii.Number(5)),
		Environment: env,
	})
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{ // the table, not its indexes
		Actions:   jsii.Strings("dynamodb:PutItem"),
		Resources: &[]*string{p.Table.TableArn()},
	}))
	p.TableKey.Grant(fn, jsii.String("kms:Encrypt"), jsii.String("kms:Decrypt"), jsii.String("kms:GenerateDataKey*"))
	fn.AddPermission(jsii.String("SecretsManagerInvoke"), &awslambda.Permission{
		Principal:     awsiam.NewServicePrincipal(jsii.String("secretsmanager.amazonaws.com"), nil),
		SourceAccount: jsii.String(p.Env.Account),
	})
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetRandomPassword"),
		Resources: jsii.Strings("*"),
	}))
	for i, s := range cfg.Secrets {
		id := fmt.Sprintf("RotatedSecret%d", i)
		secret := importSecret(scope, id, s.ARN, s.KMSKeyARN)
		days := s.AutomaticallyAfterDays
		if days == 0 {
			days = cfg.AutomaticallyAfterDays
		}
		// The schedule adds the invoke permission for Secrets Manager and the
		// Describe/Get/Put/UpdateVersionStage grants on this secret only.
		awssecretsmanager.NewRotationSchedule(scope, jsii.String(id+"Rotation"), &awssecretsmanager.RotationScheduleProps{
			Secret:             secret,
			RotationLambda:     fn,
			AutomaticallyAfter: awscdk.Duration_Days(jsii.Number(days)),
		})
		for j, arn := range s.RelatedSecretARNs {
			key := ""
			if j < len(s.RelatedKMSKeyARNs) {
				key = s.RelatedKMSKeyARNs[j]
			}
			importSecret(scope, fmt.Sprintf("%sRelated%d", id, j), arn, key).GrantRead(fn, nil)
		}
	}
	if cfg.VPC != nil {
		cfn := fn.Node().DefaultChild().(awslambda.CfnFunction)
		cfn.SetVpcConfig(&awslambda.CfnFunction_VpcConfigProperty{
			SubnetIds: jsii.Strings(cfg.VPC.SubnetIDs...), SecurityGroupIds: jsii.Strings(cfg.VPC.SecurityGroupIDs...),
		})
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
				"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
			Resources: jsii.Strings("*"),
		}))
	}
	cdknag.NagSuppressions_AddResourceSuppressions(fn.Role(), &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("GetRandomPassword and the Lambda VPC network-interface actions support no resource scope; KMS GenerateDataKey* covers its variants on the table key only"),
		AppliesTo: &[]interface{}{"Resource::*", "Action::kms:GenerateDataKey*"},
	}}, jsii.Bool(true))
}
