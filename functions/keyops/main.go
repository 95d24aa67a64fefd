// Command keyops is keyward's keyops Lambda function (placeholder until its issue lands).
package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, json.RawMessage) (any, error) {
	return nil, errors.New("keyops: not implemented")
}

func main() { lambda.Start(handle) }
