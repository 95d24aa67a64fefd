// Command fn is a tiny Lambda function for runtimeapi's tests: the event's
// "action" picks what it does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Action string `json:"action"`
	Ms     int    `json:"ms"`
}

type reply struct {
	Event        json.RawMessage `json:"event"`
	RequestID    string          `json:"requestId"`
	FunctionARN  string          `json:"functionArn"`
	FunctionName string          `json:"functionName"`
	DeadlineMs   int64           `json:"deadlineMs"`
	TraceID      string          `json:"traceId"`
	Memory       string          `json:"memory"`
	Extra        string          `json:"extra"`
	Pid          int             `json:"pid"`
}

func handle(ctx context.Context, raw json.RawMessage) (*reply, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch ev.Action {
	case "error":
		return nil, errors.New("the handler failed")
	case "panic":
		panic("boom")
	case "sleep":
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
	case "exit":
		os.Exit(7)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	dl, _ := ctx.Deadline()
	return &reply{
		Event:        raw,
		RequestID:    lc.AwsRequestID,
		FunctionARN:  lc.InvokedFunctionArn,
		FunctionName: lambdacontext.FunctionName,
		DeadlineMs:   dl.UnixMilli(),
		TraceID:      os.Getenv("_X_AMZN_TRACE_ID"),
		Memory:       os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
		Extra:        os.Getenv("EXTRA"),
		Pid:          os.Getpid(),
	}, nil
}

func main() {
	if os.Getenv("FAIL_INIT") != "" {
		os.Stderr.WriteString("init failed on purpose\n")
		os.Exit(3)
	}
	lambda.Start(handle)
}
