package main

import (
	"encoding/json"
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestKeyopsAPI(t *testing.T) {
	saved := functionConstructs
	t.Cleanup(func() { functionConstructs = saved })
	functionConstructs = map[string]FunctionConstruct{}
	registerFunction("keyops", newKeyops)

	app := newTestApp(t, map[string]any{contextOnly: "dev", contextKeyops: map[string]any{"dev": map[string]any{
		"aliasPrefixes": []any{"orders-"}, "secretPrefixes": []any{"orders/"}, "rateLimit": 20, "burstLimit": 40,
		"policySeed": map[string]any{"arn:aws:iam::111122223333:role/app": []any{map[string]any{"actions": []any{"encrypt"}, "keys": []any{"orders-*"}}}},
	}}})
	envs, err := environmentsFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	stateful := NewStatefulStack(app, "Stateful", &StatefulStackProps{Env: envs[0]})
	compute := NewComputeStack(app, "Compute", &ComputeStackProps{Env: envs[0], Stateful: stateful, AssetRoot: fakeAssets(t)})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	tpl := assertions.Template_FromStack(compute, nil)
	errs := assertions.Annotations_FromStack(compute).FindError(jsii.String("*"), assertions.Match_AnyValue())
	for _, e := range *errs {
		t.Errorf("cdk-nag: %v", e.Entry.Data)
	}

	tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Api"), map[string]any{"ProtocolType": "HTTP"})
	tpl.ResourceCountIs(jsii.String("AWS::ApiGatewayV2::Route"), jsii.Number(2))
	tpl.AllResourcesProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{"AuthorizationType": "AWS_IAM"})
	tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Integration"), map[string]any{
		"IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0",
	})
	tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), map[string]any{
		"StageName":            "$default",
		"DefaultRouteSettings": map[string]any{"ThrottlingRateLimit": 20, "ThrottlingBurstLimit": 40},
		"AccessLogSettings":    map[string]any{"Format": keyopsAccessLogFormat, "DestinationArn": assertions.Match_AnyValue()},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{"ScheduleExpression": "rate(1 hour)"})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"ACCOUNT_ID": "111122223333", "KEYOPS_ENVIRONMENT": "dev",
			"KEYOPS_POLICY_SEED": `{"arn:aws:iam::111122223333:role/app":[{"actions":["encrypt"],"keys":["orders-*"]}]}`,
		})},
	})

	// Least privilege: no kms:* or secretsmanager:*; KMS and Secrets Manager
	// actions never on Resource "*" — except CreateKey, which has no resource and
	// is allowed only with this environment's tag on the request.
	b, _ := json.Marshal(tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil))
	var policies map[string]struct {
		Properties struct {
			PolicyDocument struct {
				Statement []struct {
					Sid       string
					Action    any
					Resource  any
					Condition map[string]any
				}
			}
		}
	}
	if err := json.Unmarshal(b, &policies); err != nil {
		t.Fatal(err)
	}
	sawCreate, sawSecrets := false, false
	for _, p := range policies {
		for _, st := range p.Properties.PolicyDocument.Statement {
			actions := list(st.Action)
			rs, _ := json.Marshal(st.Resource)
			for _, a := range actions {
				if a == "kms:*" || a == "secretsmanager:*" || a == "*" {
					t.Errorf("wildcard action %s", a)
				}
				if !strings.HasPrefix(a, "kms:") && !strings.HasPrefix(a, "secretsmanager:") {
					continue
				}
				if strings.Contains(string(rs), `"*"`) {
					if a != "kms:CreateKey" && a != "kms:TagResource" || st.Condition == nil {
						t.Errorf("%s on Resource *: %s", a, rs)
					}
					sawCreate = sawCreate || a == "kms:CreateKey"
				}
				if strings.HasPrefix(a, "secretsmanager:") {
					sawSecrets = true
					if !strings.Contains(string(rs), "secret:orders/*") {
						t.Errorf("%s beyond the managed prefix: %s", a, rs)
					}
				}
				if a == "kms:Decrypt" && !strings.Contains(string(rs), "key/*") && !strings.Contains(string(rs), "TableKey") {
					t.Errorf("kms:Decrypt on %s", rs)
				}
			}
			if st.Sid == "UseAndManageEnvironmentKeys" {
				c, _ := json.Marshal(st.Condition)
				if !strings.Contains(string(c), `"aws:ResourceTag/keyward:environment":"dev"`) {
					t.Errorf("key permissions not limited to the environment's keys: %s", c)
				}
			}
			if st.Sid == "CreateConfiguredAliases" && !strings.Contains(string(rs), "alias/orders-*") {
				t.Errorf("aliases: %s", rs)
			}
		}
	}
	if !sawCreate || !sawSecrets {
		t.Fatalf("expected CreateKey (%v) and secrets (%v) statements", sawCreate, sawSecrets)
	}
}

func list(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
