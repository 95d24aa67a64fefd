package main

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// ComputeStackProps configure the compute stack of one environment. Everything
// stateful arrives here from the stateful stack; nothing is looked up.
type ComputeStackProps struct {
	awscdk.StackProps
	Env      Environment
	Stateful *StatefulStack
	// AssetRoot holds <function>/bootstrap as `make build` writes it; default ".build".
	AssetRoot string
}

// FunctionProps is what every function construct receives.
type FunctionProps struct {
	Env       Environment
	Table     awsdynamodb.ITable
	TableKey  awskms.IKey
	AssetRoot string
}

// FunctionConstruct adds one function (and what only it needs: its trigger,
// queue, alarms, grants) to the compute stack.
type FunctionConstruct func(scope constructs.Construct, props *FunctionProps)

// functionConstructs holds one entry per infra/<function>.go. Each such file
// registers itself from an init func:
//
//	func init() { registerFunction("keyops", newKeyops) }
//
//	// newKeyops is the keyops API: ...
//	func newKeyops(scope constructs.Construct, p *FunctionProps) {
//		fn := newGoFunction(scope, "Keyops", p, goFunctionOptions{Name: "keyops"})
//		p.Table.GrantReadWriteData(fn)
//		...
//	}
//
// so construct files stay independent of each other and of this file.
var functionConstructs = map[string]FunctionConstruct{}

func registerFunction(name string, c FunctionConstruct) {
	if _, dup := functionConstructs[name]; dup {
		panic("infra: function " + name + " registered twice")
	}
	functionConstructs[name] = c
}

// NewComputeStack builds the compute stack with every registered function, in
// name order so the template is deterministic.
func NewComputeStack(scope constructs.Construct, id string, props *ComputeStackProps) awscdk.Stack {
	sp := props.StackProps
	sp.Env = props.Env.CDKEnv()
	if sp.StackName == nil {
		sp.StackName = jsii.String(props.Env.StackName("compute"))
	}
	if sp.Description == nil {
		sp.Description = jsii.String("keyward " + props.Env.Name + ": functions, their triggers and alarms")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	stack.AddDependency(props.Stateful.Stack, jsii.String("functions use the table and its key"))
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String("keyward"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("environment"), jsii.String(props.Env.Name), nil)

	root := props.AssetRoot
	if root == "" {
		root = ".build"
	}
	fp := &FunctionProps{Env: props.Env, Table: props.Stateful.Table, TableKey: props.Stateful.TableKey, AssetRoot: root}
	names := make([]string, 0, len(functionConstructs))
	for n := range functionConstructs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		functionConstructs[n](stack, fp)
	}
	return stack
}
