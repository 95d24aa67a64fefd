// Package endpoint is keyward's Docker-free local AWS endpoint: one HTTP port that
// routes each request by protocol the way AWS does — JSON 1.0/1.1 by X-Amz-Target
// (KMS, Secrets Manager, DynamoDB), query by Action (STS, SNS), REST (S3,
// path-style) — and answers errors in each protocol's AWS shape so the SDK's typed
// errors work. DynamoDB is forwarded byte-for-byte to a DynamoDB Local child
// process. Every KMS and Secrets Manager call goes to the CloudTrail tap.
//
// Services plug in through RegisterJSON, RegisterQuery and RegisterREST; the
// endpoint's own set is wired in one place, services.go.
package endpoint
