// Command alarms is keyward's alarms Lambda function (placeholder until its issue lands).
package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, json.RawMessage) (any, error) {
	return nil, errors.New("alarms: not implemented")
}

func main() { lambda.Start(handle) }
