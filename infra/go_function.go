package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// goFunctionOptions tune one function; zero values take the defaults.
type goFunctionOptions struct {
	Name        string            // folder under functions/ and under AssetRoot
	Description string            //
	MemoryMB    float64           // default 256
	Timeout     awscdk.Duration   // default 10s
	Environment map[string]string // added to TABLE_NAME and the log settings
}

// newGoFunction is a Go Lambda function the way keyward runs them: the
// bootstrap from `make build` (linux/arm64, provided.al2023), its own log group
// with a retention, JSON logs, TABLE_NAME set, and a role that
// may only write its own logs (grants are added by the caller, one per need).
func newGoFunction(scope constructs.Construct, id string, p *FunctionProps, o goFunctionOptions) awslambda.Function {
	dir := filepath.Join(p.AssetRoot, o.Name)
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
		panic(fmt.Sprintf("infra: %s/bootstrap is missing: run `make build` first", dir))
	}
	if o.MemoryMB == 0 {
		o.MemoryMB = 256
	}
	if o.Timeout == nil {
		o.Timeout = awscdk.Duration_Seconds(jsii.Number(10))
	}
	logs := awslogs.NewLogGroup(scope, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     retention(p.Env.LogRetentionDays),
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(scope, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("keyward " + p.Env.Name + " " + o.Name + " function"),
	})
	env := map[string]*string{"TABLE_NAME": p.Table.TableName()}
	for k, v := range o.Environment {
		env[k] = jsii.String(v)
	}
	fn := awslambda.NewFunction(scope, jsii.String(id), &awslambda.FunctionProps{
		Description:   jsii.String(o.Description),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(dir), nil),
		MemorySize:    jsii.Number(o.MemoryMB),
		Timeout:       o.Timeout,
		Role:          role,
		LogGroup:      logs,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		Environment:   &env,
	})
	logs.GrantWrite(role)
	return fn
}

// retention maps days onto the values CloudWatch Logs accepts.
func retention(days int) awslogs.RetentionDays {
	switch {
	case days <= 7:
		return awslogs.RetentionDays_ONE_WEEK
	case days <= 14:
		return awslogs.RetentionDays_TWO_WEEKS
	case days <= 30:
		return awslogs.RetentionDays_ONE_MONTH
	case days <= 90:
		return awslogs.RetentionDays_THREE_MONTHS
	case days <= 365:
		return awslogs.RetentionDays_ONE_YEAR
	default:
		return awslogs.RetentionDays_TEN_YEARS
	}
}
