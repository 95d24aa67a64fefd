// Package conformance holds the local endpoint's conformance suite: tests that
// use only the AWS SDK for Go v2, so they run unchanged against keyward's
// endpoint (started in process by default) or any other endpoint named by
// AWS_ENDPOINT_URL, such as LocalStack. Tests of keyward-only features (the
// principal map, the CloudTrail tap) skip themselves when pointed elsewhere.
package conformance
