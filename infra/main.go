// Command infra is keyward's CDK app (cdk.json at the repository root runs it).
// For every environment in the cdk.json context it builds a stateful stack (the
// table and its customer managed key) and a compute stack (the functions), and
// checks them all with cdk-nag's AwsSolutions rules.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	if _, err := newKeyward(app, ""); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
	app.Synth(nil)
}

// newKeyward adds every environment's stacks to app and applies cdk-nag.
// assetRoot overrides where the function bootstraps are read ("" = .build).
func newKeyward(app awscdk.App, assetRoot string) (map[string]*StatefulStack, error) {
	envs, err := environmentsFromContext(app.Node())
	if err != nil {
		return nil, err
	}
	stateful := map[string]*StatefulStack{}
	for _, env := range envs {
		s := NewStatefulStack(app, env.StackName("stateful"), &StatefulStackProps{Env: env})
		stateful[env.Name] = s
		if len(functionConstructs) > 0 {
			NewComputeStack(app, env.StackName("compute"), &ComputeStackProps{Env: env, Stateful: s, AssetRoot: assetRoot})
		}
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stateful, nil
}
