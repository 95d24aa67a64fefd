// Package naming is the one definition of the names keyward's resources carry in
// an environment: the CDK app (infra/: stack names, the table key alias, the
// alarm topic, the audit HMAC key secret) and the local stack (`make local`,
// localstack/stack) both take them from here, so the local run provisions what
// the stateful and compute stacks define under the same names. The table and the
// functions keep CloudFormation-generated names in AWS (passed in TABLE_NAME and
// wired by reference); locally they are TableName and Function.
package naming

import "github.com/keyward/keyward/shared/table"

// Project prefixes every name.
const Project = "keyward"

// LocalEnvironment is the environment `make local` plays: the CDK app's dev
// environment, so the keyops curl lines of the README (environment "dev") work
// against it unchanged.
const LocalEnvironment = "dev"

// Functions are the four Lambda functions, by their folder under functions/.
var Functions = []string{"alarms", "audit", "keyops", "rotation"}

// Env names the resources of one environment (e.g. "dev", "prod").
type Env string

// Stack names an environment's stack: keyward-dev-stateful, keyward-dev-compute.
func (e Env) Stack(part string) string { return Project + "-" + string(e) + "-" + part }

// TableName is the one table. The CDK app lets CloudFormation name it per stack
// and passes it in TABLE_NAME; locally it is table.DefaultName.
func (e Env) TableName() string { return table.DefaultName }

// TableKeyAlias is the alias of the customer managed key that encrypts the table.
func (e Env) TableKeyAlias() string { return "alias/" + Project + "-" + string(e) + "-table" }

// AlarmTopic is the SNS topic the alarms function notifies.
func (e Env) AlarmTopic() string { return Project + "-" + string(e) + "-alarms" }

// AuditContextKeySecret is the secret holding the audit function's HMAC key for
// encryption-context values (AUDIT_CONTEXT_KEY_SECRET_ID).
func (e Env) AuditContextKeySecret() string { return Project + "/" + string(e) + "/audit-context-key" }

// Function is the deployed name of one of Functions: keyward-dev-keyops.
func (e Env) Function(name string) string { return Project + "-" + string(e) + "-" + name }

// FunctionRole is the IAM role a function runs as.
func (e Env) FunctionRole(name string) string { return Project + "-" + string(e) + "-" + name }

// TrailBucket is the bucket CloudTrail log files are written to locally (and the
// name a dedicated trail bucket would carry).
func (e Env) TrailBucket(account string) string {
	return Project + "-" + string(e) + "-trail-" + account
}
