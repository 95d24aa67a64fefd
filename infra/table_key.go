package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/keyward/keyward/shared/naming"
)

// Key policy actions, split so that administering the key and using it are
// separate statements: IAM policies in the account decide who administers and
// who uses, and no principal gets kms:*.
var (
	keyAdminActions = []string{
		"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
		"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
		"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
	}
	keyUseActions = []string{
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey",
		"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant",
	}
)

// TableKeyAlias is the alias of an environment's table key.
func TableKeyAlias(env Environment) string { return naming.Env(env.Name).TableKeyAlias() }

// newTableKey is the customer managed key that encrypts the table: rotated
// yearly by KMS, one per environment, with an alias.
func newTableKey(scope constructs.Construct, env Environment) awskms.Key {
	account := awsiam.NewAccountRootPrincipal()
	policy := awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:        jsii.String("KeyAdministrationThroughIAM"),
				Principals: &[]awsiam.IPrincipal{account},
				Actions:    jsii.Strings(keyAdminActions...),
				Resources:  jsii.Strings("*"), // in a key policy "*" is this key
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:        jsii.String("KeyUseThroughIAM"),
				Principals: &[]awsiam.IPrincipal{account},
				Actions:    jsii.Strings(keyUseActions...),
				Resources:  jsii.Strings("*"),
			}),
		},
	})
	key := awskms.NewKey(scope, jsii.String("TableKey"), &awskms.KeyProps{
		Description:       jsii.String("keyward " + env.Name + ": encrypts the DynamoDB table"),
		EnableKeyRotation: jsii.Bool(true),
		RotationPeriod:    awscdk.Duration_Days(jsii.Number(365)),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(float64(env.KeyDeletionWindowDays))),
		Policy:            policy,
		RemovalPolicy:     removalPolicy(env),
	})
	pinLogicalID(key, LogicalIDTableKey)
	alias := awskms.NewAlias(scope, jsii.String("TableKeyAlias"), &awskms.AliasProps{
		AliasName: jsii.String(TableKeyAlias(env)),
		TargetKey: key,
	})
	pinLogicalID(alias, LogicalIDTableKeyAlias)
	return key
}
