// Command keyops is keyward's key-operations Lambda function: the HTTP API of
// shared/keyops behind API Gateway (HTTP API, payload 2.0, IAM authorization), and
// the scheduled sweep that revokes expired grants (EventBridge "Scheduled Event").
// Configuration: see keyops.NewFromEnv.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/keyward/keyward/shared/keyops"
)

func main() {
	log := lambdacontext.NewLogger()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("keyops: aws config", "error", err.Error())
		os.Exit(1)
	}
	h, err := keyops.NewFromEnv(ctx, cfg, os.Getenv, log)
	if err != nil {
		log.Error("keyops: configuration", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Invoke)
}
