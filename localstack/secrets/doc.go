// Package secrets is the local endpoint's AWS Secrets Manager (JSON 1.1, target
// prefix "secretsmanager."): secrets with versions and staging labels as the
// Secrets Manager API reference documents them, values encrypted at rest with the
// endpoint's KMS (awsapi.KeyRing), rotation driven through local functions
// (awsapi.Invoker) with RotationStarted/Succeeded/Failed service events, resource
// policies, tags, and CloudTrail details for every call.
package secrets
