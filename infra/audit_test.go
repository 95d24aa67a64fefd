package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// auditStack synthesizes the dev compute stack with only the audit function.
func auditStack(t *testing.T, auditCtx map[string]any) assertions.Template {
	t.Helper()
	saved := functionConstructs
	t.Cleanup(func() { functionConstructs = saved })
	functionConstructs = map[string]FunctionConstruct{"audit": newAudit}
	ctx := map[string]any{contextOnly: "dev"}
	if auditCtx != nil {
		ctx[contextAudit] = auditCtx
	}
	app := newTestApp(t, ctx)
	envs, err := environmentsFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	stateful := NewStatefulStack(app, "Stateful", &StatefulStackProps{Env: envs[0]})
	compute := NewComputeStack(app, "Compute", &ComputeStackProps{Env: envs[0], Stateful: stateful, AssetRoot: fakeAssets(t)})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	tpl := assertions.Template_FromStack(compute, nil)
	assertNagClean(t, compute)
	return tpl
}

func TestAuditTriggers(t *testing.T) {
	tpl := auditStack(t, map[string]any{"dev": map[string]any{
		"trailBucket": "org-trail-logs", "trailKeyArn": "arn:aws:kms:us-east-1:111122223333:key/trail", "shards": 8}})

	tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
		"EventPattern": map[string]any{
			"source":      []any{"aws.kms", "aws.secretsmanager", "aws.ssm"},
			"detail-type": []any{"AWS API Call via CloudTrail", "AWS Service Event via CloudTrail"},
			"detail":      assertions.Match_AnyValue(),
		},
		"Targets": []any{assertions.Match_ObjectLike(&map[string]any{
			"DeadLetterConfig": assertions.Match_ObjectLike(&map[string]any{"Arn": assertions.Match_AnyValue()}),
			"RetryPolicy":      assertions.Match_AnyValue(),
		})},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
		"Principal": "events.amazonaws.com", "SourceArn": assertions.Match_AnyValue(),
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		"BatchSize":             10,
	})
	tpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
		"VisibilityTimeout":    720,
		"RedrivePolicy":        assertions.Match_ObjectLike(&map[string]any{"maxReceiveCount": 5}),
		"SqsManagedSseEnabled": true,
	})
	tpl.ResourceCountIs(jsii.String("AWS::SQS::Queue"), jsii.Number(3)) // log files, and two DLQs
	tpl.HasResourceProperties(jsii.String("Custom::S3BucketNotifications"), map[string]any{
		"BucketName": "org-trail-logs",
		"Managed":    false, // existing notifications of the trail bucket are kept
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"AUDIT_CONTEXT_KEY_SECRET_ID": assertions.Match_AnyValue(),
			"AUDIT_SHARDS":                "8",
		})},
		"Timeout": 120,
	})
}

func TestAuditGrantsAreLeastPrivilege(t *testing.T) {
	tpl := auditStack(t, map[string]any{"dev": map[string]any{"trailBucket": "org-trail-logs"}})
	b, err := json.Marshal(tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil))
	if err != nil {
		t.Fatal(err)
	}
	var policies map[string]struct {
		Properties struct {
			PolicyDocument struct {
				Statement []struct {
					Sid      string `json:"Sid"`
					Action   any    `json:"Action"`
					Resource any    `json:"Resource"`
				} `json:"Statement"`
			} `json:"PolicyDocument"`
		} `json:"Properties"`
	}
	if err := json.Unmarshal(b, &policies); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for name, p := range policies {
		if !strings.HasPrefix(name, "AuditRole") {
			continue
		}
		for _, s := range p.Properties.PolicyDocument.Statement {
			acts, _ := json.Marshal(s.Action)
			res, _ := json.Marshal(s.Resource)
			actions = append(actions, string(acts))
			if strings.Contains(string(acts), "*\"") {
				t.Errorf("wildcard action %s", acts)
			}
			if string(res) == `"*"` {
				t.Errorf("statement %s %s on Resource *", s.Sid, acts)
			}
			for _, banned := range []string{"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:Query", "s3:PutObject", "kms:CreateGrant"} {
				if strings.Contains(string(acts), banned) {
					t.Errorf("audit function granted %s", banned)
				}
			}
		}
	}
	all := strings.Join(actions, " ")
	for _, want := range []string{"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "s3:GetObject", "secretsmanager:GetSecretValue"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit function lacks %s: %s", want, all)
		}
	}
}

func TestAuditWithoutTrailBucket(t *testing.T) {
	tpl := auditStack(t, nil)
	tpl.ResourceCountIs(jsii.String("Custom::S3BucketNotifications"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(1))
}
