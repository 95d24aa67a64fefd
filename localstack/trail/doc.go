// Package trail is the local endpoint's CloudTrail tap: every KMS and Secrets
// Manager call, successful or failed, becomes a CloudTrail record shaped as
// CloudTrail documents it, wrapped in the EventBridge envelope ("AWS API Call via
// CloudTrail"), appended to a JSONL file and delivered in order, at least once, to
// registered targets. Service events (Secrets Manager rotation outcomes) become
// "AWS Service Event via CloudTrail" events the same way.
package trail
