package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/keyward/keyward/shared/naming"
)

// Context keys read from cdk.json (or -c on the command line).
const (
	contextEnvironments = "keyward:environments" // {"dev": {...}, "prod": {...}}
	contextOnly         = "keyward:environment"  // synthesize only this one (optional)
)

// Environment is one deployment of keyward (dev, prod, ...). Each has its own
// stacks and its own customer managed keys: keys are never shared across
// environments.
type Environment struct {
	Name    string `json:"-"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// RetainData keeps the table and its key when the stack is deleted, and turns
	// on the table's deletion protection.
	RetainData bool `json:"retainData"`
	// KeyDeletionWindowDays is the KMS waiting period (7–30) before a scheduled key
	// deletion; default 30.
	KeyDeletionWindowDays int `json:"keyDeletionWindowDays"`
	// LogRetentionDays for the functions' log groups; default 30.
	LogRetentionDays int `json:"logRetentionDays"`
}

var (
	envNamePattern = regexp.MustCompile(`^[a-z][a-z0-9]{1,15}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
)

// StackName names an environment's stack, e.g. keyward-dev-stateful.
func (e Environment) StackName(part string) string { return naming.Env(e.Name).Stack(part) }

// CDKEnv is the explicit account/region the stacks are pinned to.
func (e Environment) CDKEnv() *awscdk.Environment {
	return &awscdk.Environment{Account: jsii.String(e.Account), Region: jsii.String(e.Region)}
}

// environmentsFromContext reads and validates the environments, sorted by name.
func environmentsFromContext(node constructs.Node) ([]Environment, error) {
	raw := node.TryGetContext(jsii.String(contextEnvironments))
	if raw == nil {
		return nil, fmt.Errorf("cdk.json context %q is missing", contextEnvironments)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", contextEnvironments, err)
	}
	byName := map[string]Environment{}
	if err := json.Unmarshal(b, &byName); err != nil {
		return nil, fmt.Errorf("context %q: %w", contextEnvironments, err)
	}
	only, _ := node.TryGetContext(jsii.String(contextOnly)).(string)
	var envs []Environment
	for name, e := range byName {
		if only != "" && name != only {
			continue
		}
		e.Name = name
		if e.KeyDeletionWindowDays == 0 {
			e.KeyDeletionWindowDays = 30
		}
		if e.LogRetentionDays == 0 {
			e.LogRetentionDays = 30
		}
		if err := e.validate(); err != nil {
			return nil, err
		}
		envs = append(envs, e)
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("no environment to synthesize (context %q = %q; defined: %s)", contextOnly, only, b)
	}
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	return envs, nil
}

func (e Environment) validate() error {
	switch {
	case !envNamePattern.MatchString(e.Name):
		return fmt.Errorf("environment name %q: want 2–16 lower-case letters or digits", e.Name)
	case !accountPattern.MatchString(e.Account):
		return fmt.Errorf("environment %s: account %q is not a 12-digit account id", e.Name, e.Account)
	case !regionPattern.MatchString(e.Region):
		return fmt.Errorf("environment %s: region %q is not a region name", e.Name, e.Region)
	case e.KeyDeletionWindowDays < 7 || e.KeyDeletionWindowDays > 30:
		return fmt.Errorf("environment %s: keyDeletionWindowDays %d is outside KMS's 7–30", e.Name, e.KeyDeletionWindowDays)
	}
	return nil
}
