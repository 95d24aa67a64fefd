package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// contextKeyops configures the keyops API per environment in cdk.json:
//
//	"keyward:keyops": {"dev": {
//	  "aliasPrefixes": ["app-"],              // aliases keyops may create (CreateAlias)
//	  "secretPrefixes": ["app/"],             // secrets keyops may read, put and rotate
//	  "policySeed": {"arn:aws:iam::…:role/app": [{"actions": ["encrypt","decrypt"], "keys": ["app-*"]}]},
//	  "rateLimit": 50, "burstLimit": 100      // stage throttling (requests/s)
//	}}
const contextKeyops = "keyward:keyops"

// KeyopsConfig is one environment's keyops configuration.
type KeyopsConfig struct {
	AliasPrefixes  []string                   `json:"aliasPrefixes"`
	SecretPrefixes []string                   `json:"secretPrefixes"`
	PolicySeed     map[string]json.RawMessage `json:"policySeed"`
	RateLimit      float64                    `json:"rateLimit"`
	BurstLimit     float64                    `json:"burstLimit"`
}

func init() { registerFunction("keyops", newKeyops) }

func keyopsConfig(scope constructs.Construct, env string) KeyopsConfig {
	cfg := KeyopsConfig{AliasPrefixes: []string{"app-"}, SecretPrefixes: []string{"app/"}, RateLimit: 50, BurstLimit: 100}
	if raw := scope.Node().TryGetContext(jsii.String(contextKeyops)); raw != nil {
		b, _ := json.Marshal(raw)
		var all map[string]KeyopsConfig
		if err := json.Unmarshal(b, &all); err != nil {
			panic(fmt.Sprintf("infra: %s: %v", contextKeyops, err))
		}
		if c, ok := all[env]; ok {
			if len(c.AliasPrefixes) > 0 {
				cfg.AliasPrefixes = c.AliasPrefixes
			}
			if len(c.SecretPrefixes) > 0 {
				cfg.SecretPrefixes = c.SecretPrefixes
			}
			cfg.PolicySeed = c.PolicySeed
			if c.RateLimit > 0 {
				cfg.RateLimit = c.RateLimit
			}
			if c.BurstLimit > 0 {
				cfg.BurstLimit = c.BurstLimit
			}
		}
	}
	for _, p := range append(append([]string{}, cfg.AliasPrefixes...), cfg.SecretPrefixes...) {
		if p == "" || strings.ContainsAny(p, "*?") {
			panic(fmt.Sprintf("infra: %s: prefix %q must be non-empty and literal", contextKeyops, p))
		}
	}
	return cfg
}

// newKeyops is the key-operations API: an HTTP API with IAM authorization and
// stage throttling, JSON access logs, the function behind it, an hourly schedule
// that revokes expired grants, and grants limited to this environment's keys
// (tagged keyward:environment) and the configured aliases and secret prefixes.
func newKeyops(scope constructs.Construct, p *FunctionProps) {
	cfg := keyopsConfig(scope, p.Env.Name)
	seed := "{}"
	if len(cfg.PolicySeed) > 0 {
		b, _ := json.Marshal(cfg.PolicySeed)
		seed = string(b)
	}
	fn := newGoFunction(scope, "Keyops", p, goFunctionOptions{
		Name:        "keyops",
		Description: "keyward key operations API: envelope encryption, key lifecycle with guardrails, cached secrets",
		MemoryMB:    512,
		Environment: map[string]string{
			"ACCOUNT_ID": p.Env.Account, "KEYOPS_ENVIRONMENT": p.Env.Name, "KEYOPS_POLICY_SEED": seed,
		},
	})
	p.Table.GrantReadWriteData(fn)

	stack := awscdk.Stack_Of(scope)
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", *stack.Partition(), service, p.Env.Region, p.Env.Account, resource)
	}
	envTag := map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/keyward:environment": p.Env.Name}}
	// CreateKey has no resource to scope to: it is allowed only with this
	// environment's tag on the request (keyops tags every key it creates).
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CreateTaggedKeys"),
		Actions:   jsii.Strings("kms:CreateKey", "kms:TagResource"),
		Resources: jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals":              map[string]any{"aws:RequestTag/keyward:environment": p.Env.Name},
			"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{"keyward:environment", "keyward:alias"}},
		},
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("UseAndManageEnvironmentKeys"),
		Actions: jsii.Strings(
			"kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:RotateKeyOnDemand",
			"kms:DisableKey", "kms:EnableKey", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
			"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant", "kms:CreateAlias",
			"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"),
		Resources:  jsii.Strings(arn("kms", "key/*")),
		Conditions: &envTag,
	}))
	var aliases, secrets []*string
	for _, a := range cfg.AliasPrefixes {
		aliases = append(aliases, jsii.String(arn("kms", "alias/"+a+"*")))
	}
	for _, s := range cfg.SecretPrefixes {
		secrets = append(secrets, jsii.String(arn("secretsmanager", "secret:"+s+"*")))
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CreateConfiguredAliases"), Actions: jsii.Strings("kms:CreateAlias"), Resources: &aliases,
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ManagedSecrets"),
		Actions: jsii.Strings("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
			"secretsmanager:PutSecretValue", "secretsmanager:RotateSecret", "secretsmanager:ListSecretVersionIds"),
		Resources: &secrets,
	}))

	applies := []interface{}{
		"Resource::*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
		"Resource::" + arn("kms", "key/*"),
		&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::.*\/index\/\*$/g`)},
	}
	for _, r := range append(append([]*string{}, aliases...), secrets...) {
		applies = append(applies, "Resource::"+*r)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(fn.Role(), &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("keyops creates keys at run time: CreateKey has no resource scope and is allowed only with this " +
			"environment's tag; key actions reach key/* only with aws:ResourceTag/keyward:environment; aliases and " +
			"secrets are limited to the configured prefixes; GenerateDataKey*/ReEncrypt* on the table key come from " +
			"the table grant; Query needs the table's indexes"),
		AppliesTo: &applies,
	}}, jsii.Bool(true))

	accessLogs := awslogs.NewLogGroup(scope, jsii.String("KeyopsAccessLogs"), &awslogs.LogGroupProps{
		Retention: retention(p.Env.LogRetentionDays), RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	api := awsapigatewayv2.NewHttpApi(scope, jsii.String("KeyopsApi"), &awsapigatewayv2.HttpApiProps{
		ApiName:            jsii.String("keyward-" + p.Env.Name + "-keyops"),
		Description:        jsii.String("keyward key operations (IAM authorization)"),
		CreateDefaultStage: jsii.Bool(false),
	})
	stage := api.AddStage(jsii.String("KeyopsStage"), &awsapigatewayv2.HttpStageOptions{
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle:   &awsapigatewayv2.ThrottleSettings{RateLimit: jsii.Number(cfg.RateLimit), BurstLimit: jsii.Number(cfg.BurstLimit)},
	})
	// one JSON access line per request (no bodies, no headers)
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: accessLogs.LogGroupArn(),
		Format:         jsii.String(keyopsAccessLogFormat),
	})
	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("KeyopsIntegration"), fn,
		&awsapigatewayv2integrations.HttpLambdaIntegrationProps{PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0()})
	iam := awsapigatewayv2authorizers.NewHttpIamAuthorizer()
	for _, path := range []string{"/v1/{proxy+}", "/openapi.json"} {
		api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path: jsii.String(path), Methods: &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_ANY},
			Integration: integration, Authorizer: iam,
		})
	}
	awsevents.NewRule(scope, jsii.String("KeyopsGrantSweep"), &awsevents.RuleProps{
		Description: jsii.String("keyops: revoke grants whose expiresAt has passed"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Hours(jsii.Number(1))),
		Targets:     &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, nil)},
	})
	awscdk.NewCfnOutput(scope, jsii.String("KeyopsApiUrl"), &awscdk.CfnOutputProps{Value: api.ApiEndpoint()})
}

// keyopsAccessLogFormat is the access log line of the keyops API.
const keyopsAccessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",` +
	`"caller":"$context.identity.userArn","time":"$context.requestTime","method":"$context.httpMethod",` +
	`"path":"$context.path","status":"$context.status","latency":"$context.responseLatency",` +
	`"integrationError":"$context.integrationErrorMessage"}`
