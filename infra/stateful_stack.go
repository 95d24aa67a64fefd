package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Logical ids of the stateful resources. They are pinned (and asserted in the
// tests): a changed logical id makes CloudFormation replace the resource, which
// for a table or a key means losing data.
const (
	LogicalIDTableKey      = "TableKey"
	LogicalIDTableKeyAlias = "TableKeyAlias"
	LogicalIDTable         = "Table"
)

// StatefulStackProps configure the stateful stack of one environment.
type StatefulStackProps struct {
	awscdk.StackProps
	Env Environment
}

// StatefulStack holds what must survive a redeploy: the one DynamoDB table and
// its customer managed key. The compute stack receives these through props.
type StatefulStack struct {
	awscdk.Stack
	TableKey awskms.Key
	Table    awsdynamodb.Table
}

// NewStatefulStack builds the stateful stack.
func NewStatefulStack(scope constructs.Construct, id string, props *StatefulStackProps) *StatefulStack {
	sp := props.StackProps
	sp.Env = props.Env.CDKEnv()
	if sp.StackName == nil {
		sp.StackName = jsii.String(props.Env.StackName("stateful"))
	}
	if sp.Description == nil {
		sp.Description = jsii.String("keyward " + props.Env.Name + ": the audit/key-usage table and its customer managed key")
	}
	if sp.TerminationProtection == nil {
		sp.TerminationProtection = jsii.Bool(props.Env.RetainData)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String("keyward"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("environment"), jsii.String(props.Env.Name), nil)

	key := newTableKey(stack, props.Env)
	table := newTable(stack, props.Env, key)
	return &StatefulStack{Stack: stack, TableKey: key, Table: table}
}

// removalPolicy keeps data in environments that retain it.
func removalPolicy(env Environment) awscdk.RemovalPolicy {
	if env.RetainData {
		return awscdk.RemovalPolicy_RETAIN
	}
	return awscdk.RemovalPolicy_DESTROY
}

// pinLogicalID fixes a construct's CloudFormation logical id.
func pinLogicalID(c constructs.Construct, id string) {
	c.Node().DefaultChild().(awscdk.CfnResource).OverrideLogicalId(jsii.String(id))
}
