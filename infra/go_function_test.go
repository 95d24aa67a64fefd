package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// TestGoFunctionPattern checks the construct every infra/<function>.go uses, with
// a stand-in function registered the way they register themselves.
func TestGoFunctionPattern(t *testing.T) {
	saved := functionConstructs
	t.Cleanup(func() { functionConstructs = saved })
	functionConstructs = map[string]FunctionConstruct{}
	registerFunction("demo", func(scope constructs.Construct, p *FunctionProps) {
		fn := newGoFunction(scope, "Demo", p, goFunctionOptions{Name: "demo", Description: "stand-in",
			Environment: map[string]string{"MODE": "test"}})
		p.TableKey.GrantDecrypt(fn)
	})

	app := newTestApp(t, map[string]any{contextOnly: "dev"})
	envs, err := environmentsFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	stateful := NewStatefulStack(app, "Stateful", &StatefulStackProps{Env: envs[0]})
	compute := NewComputeStack(app, "Compute", &ComputeStackProps{Env: envs[0], Stateful: stateful, AssetRoot: fakeAssets(t)})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)

	tpl := assertions.Template_FromStack(compute, nil)
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Runtime":       "provided.al2023",
		"Architectures": []any{"arm64"},
		"Handler":       "bootstrap",
		"LoggingConfig": assertions.Match_ObjectLike(&map[string]any{"LogFormat": "JSON"}),
		"Environment": map[string]any{"Variables": map[string]any{
			"TABLE_NAME": assertions.Match_AnyValue(),
			"MODE":       "test",
		}},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 14})
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"ManagedPolicyArns": assertions.Match_Absent(),
	})
	assertNagClean(t, compute)
	if got := *compute.StackName(); got != "keyward-dev-compute" {
		t.Errorf("compute stack name %s", got)
	}
}

func TestRegisterFunctionTwicePanics(t *testing.T) {
	saved := functionConstructs
	t.Cleanup(func() { functionConstructs = saved })
	functionConstructs = map[string]FunctionConstruct{}
	registerFunction("x", func(constructs.Construct, *FunctionProps) {})
	defer func() {
		if recover() == nil {
			t.Error("a second registration of the same name did not panic")
		}
	}()
	registerFunction("x", func(constructs.Construct, *FunctionProps) {})
}
