// Package stack runs the whole keyward stack on one machine, the way `make local`
// and the end-to-end demo test do: the Docker-free endpoint with DynamoDB Local,
// the resources the CDK stacks define (named by shared/naming, the table from
// shared/table.CreateTableInput), and the four functions as their real bootstraps
// behind the local Lambda Runtime API (localstack/runtimeapi):
//
//   - keyops serves the HTTP API: each request becomes the API Gateway HTTP API
//     (payload 2.0) event Lambda receives, caller from X-Keyward-Principal;
//   - audit receives every CloudTrail event of the endpoint's tap (the EventBridge
//     rule's path) and S3 ObjectCreated notifications of the trail bucket as
//     SQS batches (the log-file path);
//   - alarms runs every minute (the EventBridge Scheduler payload), and on demand
//     at POST /_keyward/alarms/run on the endpoint;
//   - rotation is what the endpoint's RotateSecret invokes.
package stack
