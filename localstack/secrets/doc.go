// Package secrets is the local endpoint's AWS Secrets Manager (JSON 1.1, target
// prefix "secretsmanager."): secrets with versions and staging labels as the
// Secrets Manager API reference documents them, values encrypted at rest with the
// endpoint's KMS (awsapi.KeyRing, encryption context SecretARN/SecretVersionId,
// default key alias/aws/secretsmanager), rotation driven through local functions
// (awsapi.Invoker) with RotationStarted/Succeeded/Failed service events, resource
// policies, tags, and CloudTrail details for every call (never a secret value).
//
// Where it differs from AWS, on purpose:
//   - RotateSecret runs the four rotation steps before it returns (AWS starts
//     them asynchronously); the outcome is the same staging labels and events.
//   - Scheduled rotation runs when RotateDue is called, e.g. through
//     POST /_keyward/secretsmanager/rotate-due[?at=RFC3339]; NextRotationDate is
//     computed for AutomaticallyAfterDays and rate() expressions, not cron().
//   - A KMS failure is EncryptionFailure / DecryptionFailure whose message
//     carries KMS's own code and message (e.g. DisabledException).
//   - Resource policies are stored and checked (BlockPublicPolicy), not enforced;
//     replication and managed rotation are not offered.
package secrets
