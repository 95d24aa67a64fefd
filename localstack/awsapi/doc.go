// Package awsapi is the contract between the local endpoint's protocol layer and the
// services it hosts (KMS, Secrets Manager, S3, SNS, STS): the call a service sees, the
// AWS-shaped error it returns, and the CloudTrail details it reports for the tap.
package awsapi
