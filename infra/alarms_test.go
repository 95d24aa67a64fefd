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

func TestAlarmsFunction(t *testing.T) {
	saved := functionConstructs
	t.Cleanup(func() { functionConstructs = saved })
	functionConstructs = map[string]FunctionConstruct{}
	registerFunction("alarms", newAlarms)

	app := newTestApp(t, map[string]any{contextOnly: "dev", contextAlarms: map[string]any{"dev": map[string]any{
		"schedule": "rate(10 minutes)", "renotify": "12h",
		"rules": map[string]any{"decryptSpike": map[string]any{"operations": []any{"Decrypt"}, "threshold": 5000}},
	}}})
	envs, err := environmentsFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	stateful := NewStatefulStack(app, "Stateful", &StatefulStackProps{Env: envs[0]})
	compute := NewComputeStack(app, "Compute", &ComputeStackProps{Env: envs[0], Stateful: stateful, AssetRoot: fakeAssets(t)})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	tpl := assertions.Template_FromStack(compute, nil)

	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"ALARM_RENOTIFY": "12h", "ACCOUNT_ID": envs[0].Account,
			"ALARM_RULES_CONFIG": `{"decryptSpike":{"operations":["Decrypt"],"threshold":5000}}`,
		})},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), map[string]any{
		"ScheduleExpression": "rate(10 minutes)",
		"Target":             assertions.Match_ObjectLike(&map[string]any{"Input": `{"job":"alarms","scheduledTime":"<aws.scheduler.scheduled-time>"}`}),
	})
	tpl.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), map[string]any{
		"ScheduleExpression": "cron(0 6 * * ? *)",
		"Target":             assertions.Match_ObjectLike(&map[string]any{"Input": `{"job":"posture","scheduledTime":"<aws.scheduler.scheduled-time>"}`}),
	})
	// Topic encrypted with the stack key, TLS enforced by the topic policy.
	tpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{"KmsMasterKeyId": assertions.Match_AnyValue()})
	b, _ := json.Marshal(tpl.FindResources(jsii.String("AWS::SNS::TopicPolicy"), nil))
	if !strings.Contains(string(b), "aws:SecureTransport") {
		t.Errorf("topic policy does not enforce TLS: %s", b)
	}
	tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
		"EnableKeyRotation": true,
		"KeyPolicy": assertions.Match_ObjectLike(&map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": envs[0].Account}},
			}),
		})}),
	})
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(4))

	// Least privilege: no wildcard actions, no data-plane KMS use of other keys,
	// no secret reads (posture only lists).
	pb, _ := json.Marshal(tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil))
	policies := string(pb)
	for _, bad := range []string{`"dynamodb:*"`, `"kms:*"`, `"secretsmanager:*"`, `"secretsmanager:GetSecretValue"`, `"dynamodb:Scan"`, `"dynamodb:DeleteItem"`} {
		if strings.Contains(policies, bad) {
			t.Errorf("policy grants %s", bad)
		}
	}
	if !strings.Contains(policies, "AlarmTopicKey") {
		t.Error("the function may not use the topic's key: publishing would fail")
	}
	for _, want := range []string{"sns:Publish", "kms:GetKeyRotationStatus", "secretsmanager:ListSecrets", "dynamodb:BatchGetItem", "lambda:InvokeFunction"} {
		if !strings.Contains(policies, want) {
			t.Errorf("missing grant %s", want)
		}
	}
	assertNagClean(t, compute)
}
