// Command audit is keyward's audit Lambda function: CloudTrail events of KMS,
// Secrets Manager and SSM (EventBridge rules, and SQS notifications of CloudTrail
// log files in S3) into the audit store that the alarms and key-ops functions read.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() {
	log := lambdacontext.NewLogger()
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		log.Error("audit: configuration", "error", err.Error())
		os.Exit(1)
	}
	h.Log = log
	lambda.Start(h.Invoke)
}
