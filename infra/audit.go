package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3notifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/keyward/keyward/shared/naming"
)

func init() { registerFunction("audit", newAudit) }

// contextAudit configures the audit function per environment:
//
//	"keyward:audit": {"prod": {
//	  "trailBucket": "org-trail-logs",          // existing CloudTrail bucket (optional)
//	  "trailPrefix": "AWSLogs/",                // where its log files are (default AWSLogs/)
//	  "trailKeyArn": "arn:aws:kms:…:key/…",     // the trail's SSE-KMS key, if any
//	  "shards": 4, "eventRetentionDays": 400}}
const contextAudit = "keyward:audit"

// AuditConfig is one environment's audit settings.
type AuditConfig struct {
	TrailBucket        string `json:"trailBucket"`
	TrailPrefix        string `json:"trailPrefix"`
	TrailKeyARN        string `json:"trailKeyArn"`
	Shards             int    `json:"shards"`
	EventRetentionDays int    `json:"eventRetentionDays"`
}

func auditConfig(scope constructs.Construct, env string) AuditConfig {
	c := AuditConfig{TrailPrefix: "AWSLogs/"}
	if raw := scope.Node().TryGetContext(jsii.String(contextAudit)); raw != nil {
		b, _ := json.Marshal(raw)
		var byEnv map[string]AuditConfig
		if err := json.Unmarshal(b, &byEnv); err != nil {
			panic(fmt.Sprintf("infra: context %s: %v", contextAudit, err))
		}
		if e, ok := byEnv[env]; ok {
			if e.TrailPrefix == "" {
				e.TrailPrefix = c.TrailPrefix
			}
			c = e
		}
	}
	if c.TrailKeyARN != "" && (!strings.HasPrefix(c.TrailKeyARN, "arn:") || !strings.Contains(c.TrailKeyARN, ":kms:")) {
		panic(fmt.Sprintf("infra: %s: trailKeyArn %q is not a KMS key ARN", contextAudit, c.TrailKeyARN))
	}
	return c
}

// auditSources are the services whose CloudTrail events keyward audits.
var auditSources = []string{"aws.kms", "aws.secretsmanager", "aws.ssm"}

// newAudit is the audit function and its two triggers:
//   - an EventBridge rule on CloudTrail API calls and service events of KMS,
//     Secrets Manager and SSM. It is an L1 CfnRule because read-only calls
//     (Decrypt, GetSecretValue, GetParameter) only reach EventBridge with the
//     state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, which the L2 Rule
//     cannot set. Failed deliveries go to a dead-letter queue.
//   - an SQS queue (with its own DLQ) of S3 notifications for CloudTrail log
//     files, the organisation-trail path; an existing trail bucket is wired to it
//     when the context names one.
//
// Grants: UpdateItem/PutItem/BatchWriteItem on the table (no read, no Scan, no
// index), the table key for those writes, the HMAC key secret, and GetObject on
// the trail's log files (and their key) only.
func newAudit(scope constructs.Construct, p *FunctionProps) {
	cfg := auditConfig(scope, p.Env.Name)
	stack := awscdk.Stack_Of(scope)
	timeout := awscdk.Duration_Minutes(jsii.Number(2))

	hmacKey := awssecretsmanager.NewSecret(scope, jsii.String("AuditContextKey"), &awssecretsmanager.SecretProps{
		SecretName:    jsii.String(naming.Env(p.Env.Name).AuditContextKeySecret()), // make local provisions the same name
		Description:   jsii.String("keyward " + p.Env.Name + ": HMAC key for encryption-context values in the audit store"),
		EncryptionKey: p.TableKey,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(hmacKey, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("The HMAC key only pseudonymises encryption-context values; rotating it would make " +
			"stored hashes incomparable with new ones. It never leaves the function and protects no data."),
	}}, jsii.Bool(false))

	env := map[string]string{"AUDIT_CONTEXT_KEY_SECRET_ID": *hmacKey.SecretArn()}
	if cfg.Shards > 0 {
		env["AUDIT_SHARDS"] = fmt.Sprint(cfg.Shards)
	}
	if cfg.EventRetentionDays > 0 {
		env["AUDIT_EVENT_RETENTION_DAYS"] = fmt.Sprint(cfg.EventRetentionDays)
	}
	fn := newGoFunction(scope, "Audit", p, goFunctionOptions{
		Name:        "audit",
		Description: "CloudTrail events of KMS, Secrets Manager and SSM into the audit store",
		MemoryMB:    1024, // log files are decompressed in memory; more memory is more CPU
		Timeout:     timeout,
		Environment: env,
	})
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AuditStoreWrites"),
		Actions:   jsii.Strings("dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"),
		Resources: &[]*string{p.Table.TableArn()},
	}))
	p.TableKey.Grant(fn, jsii.String("kms:Encrypt"), jsii.String("kms:Decrypt"), jsii.String("kms:GenerateDataKey"), jsii.String("kms:DescribeKey"))
	// Not hmacKey.GrantRead: through the table key (another stack) it would add the
	// role to the key policy and make the stacks depend on each other; the role's
	// own policy already holds kms:Decrypt on the table key.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ContextKeySecret"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
		Resources: &[]*string{hmacKey.SecretArn()},
	}))

	// EventBridge path.
	eventsDLQ := deadLetterQueue(scope, "AuditEventsDLQ")
	rule := awsevents.NewCfnRule(scope, jsii.String("AuditCloudTrailRule"), &awsevents.CfnRuleProps{
		Description: jsii.String("keyward audit: CloudTrail API calls and service events of KMS, Secrets Manager, SSM"),
		State:       jsii.String("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
		EventPattern: map[string]any{
			"source":      auditSources,
			"detail-type": []string{"AWS API Call via CloudTrail", "AWS Service Event via CloudTrail"},
			"detail": map[string]any{
				"eventSource": []string{"kms.amazonaws.com", "secretsmanager.amazonaws.com", "ssm.amazonaws.com"},
			},
		},
		Targets: []any{&awsevents.CfnRule_TargetProperty{
			Id:               jsii.String("audit"),
			Arn:              fn.FunctionArn(),
			DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: eventsDLQ.QueueArn()},
			RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
				MaximumRetryAttempts: jsii.Number(20), MaximumEventAgeInSeconds: jsii.Number(86400),
			},
		}},
	})
	fn.AddPermission(jsii.String("EventBridgeInvoke"), &awslambda.Permission{
		Principal: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		SourceArn: rule.AttrArn(),
	})
	eventsDLQ.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("EventBridgeDeadLetters"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  &[]*string{eventsDLQ.QueueArn()},
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rule.AttrArn()}},
	}))

	// Log-file path.
	logsDLQ := deadLetterQueue(scope, "AuditLogFilesDLQ")
	logs := awssqs.NewQueue(scope, jsii.String("AuditLogFiles"), &awssqs.QueueProps{
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		VisibilityTimeout: awscdk.Duration_Minutes(jsii.Number(12)), // 6 × the function timeout
		RetentionPeriod:   awscdk.Duration_Days(jsii.Number(4)),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: logsDLQ, MaxReceiveCount: jsii.Number(5)},
	})
	fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(logs, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(10),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(5)),
		ReportBatchItemFailures: jsii.Bool(true),
	}))
	if cfg.TrailBucket == "" {
		return
	}
	bucket := awss3.Bucket_FromBucketName(scope, jsii.String("AuditTrailBucket"), jsii.String(cfg.TrailBucket))
	bucket.AddEventNotification(awss3.EventType_OBJECT_CREATED, awss3notifications.NewSqsDestination(logs),
		&awss3.NotificationKeyFilter{Prefix: jsii.String(cfg.TrailPrefix), Suffix: jsii.String(".json.gz")})
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("TrailLogFiles"),
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: &[]*string{bucket.ArnForObjects(jsii.String(cfg.TrailPrefix + "*"))},
	}))
	objects := "Resource::arn:aws:s3:::" + cfg.TrailBucket + "/" + cfg.TrailPrefix + "*"
	cdknag.NagSuppressions_AddResourceSuppressions(fn.Role(), &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("CloudTrail names its log files at delivery; GetObject is limited to the trail's log prefix."),
		AppliesTo: &[]any{objects},
	}}, jsii.Bool(true))
	if cfg.TrailKeyARN != "" {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("TrailLogFilesKey"),
			Actions:    jsii.Strings("kms:Decrypt"),
			Resources:  jsii.Strings(cfg.TrailKeyARN),
			Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3." + p.Env.Region + ".amazonaws.com"}},
		}))
	}
	// CDK's custom resource that adds the notification to a bucket it does not own.
	handler := "/" + *stack.Node().Path() + "/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource"
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(handler), &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("AwsSolutions-IAM4"), Reason: jsii.String("CDK's bucket-notification handler uses the basic Lambda execution role.")},
		{Id: jsii.String("AwsSolutions-IAM5"), Reason: jsii.String("CDK's bucket-notification handler must put the notification configuration of the imported bucket.")},
	}, jsii.Bool(true))
}

// deadLetterQueue is an encrypted, TLS-only queue kept 14 days for inspection.
func deadLetterQueue(scope constructs.Construct, id string) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(q, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SQS3"), Reason: jsii.String("This queue is itself a dead-letter queue."),
	}}, jsii.Bool(false))
	return q
}
