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

const (
	testRotatedARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf"
	testMasterARN  = "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-master-XyZ123"
)

func TestRotationFunction(t *testing.T) {
	saved := functionConstructs
	t.Cleanup(func() { functionConstructs = saved })
	functionConstructs = map[string]FunctionConstruct{}
	registerFunction("rotation", newRotation)

	app := newTestApp(t, map[string]any{contextOnly: "dev", contextRotation: map[string]any{"dev": map[string]any{
		"apiKeyRevokeGrace": "2m",
		"secrets": []any{
			map[string]any{"arn": testRotatedARN, "relatedSecretArns": []any{testMasterARN}},
			map[string]any{"arn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:api/key", "automaticallyAfterDays": 7},
		},
		"vpc": map[string]any{"subnetIds": []any{"subnet-0a"}, "securityGroupIds": []any{"sg-0b"}},
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
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{"API_KEY_REVOKE_GRACE": "2m"})},
		"VpcConfig":   map[string]any{"SubnetIds": []any{"subnet-0a"}, "SecurityGroupIds": []any{"sg-0b"}},
		"Timeout":     300,
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
		"Principal": "secretsmanager.amazonaws.com", "Action": "lambda:InvokeFunction",
	})
	tpl.ResourceCountIs(jsii.String("AWS::SecretsManager::RotationSchedule"), jsii.Number(2))
	tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::RotationSchedule"), map[string]any{
		"SecretId": testRotatedARN, "RotationRules": map[string]any{"ScheduleExpression": "rate(30 days)"},
	})
	tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::RotationSchedule"), map[string]any{
		"RotationRules": map[string]any{"ScheduleExpression": "rate(7 days)"},
	})

	// Least privilege: write actions only on the rotated secrets, the master
	// secret read only, no secretsmanager:* anywhere.
	b, _ := json.Marshal(tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil))
	policies := string(b)
	for _, bad := range []string{`"secretsmanager:*"`, `"dynamodb:*"`, `"kms:*"`} {
		if strings.Contains(policies, bad) {
			t.Errorf("policy grants %s", bad)
		}
	}
	var doc map[string]struct {
		Properties struct {
			PolicyDocument struct {
				Statement []struct {
					Action   any `json:"Action"`
					Resource any `json:"Resource"`
				} `json:"Statement"`
			} `json:"PolicyDocument"`
		} `json:"Properties"`
	}
	_ = json.Unmarshal(b, &doc)
	for _, p := range doc {
		for _, st := range p.Properties.PolicyDocument.Statement {
			acts, _ := json.Marshal(st.Action)
			res, _ := json.Marshal(st.Resource)
			if strings.Contains(string(acts), "PutSecretValue") || strings.Contains(string(acts), "UpdateSecretVersionStage") {
				if strings.Contains(string(res), "db-master") || strings.Contains(string(res), `"*"`) {
					t.Errorf("write access beyond the rotated secrets: %s on %s", acts, res)
				}
			}
			if strings.Contains(string(res), "db-master") && !strings.Contains(string(acts), "GetSecretValue") {
				t.Errorf("unexpected access to the master secret: %s", acts)
			}
		}
	}
	if !strings.Contains(policies, "db-master") {
		t.Error("no read grant on the master secret")
	}
	assertNagClean(t, compute)
}
