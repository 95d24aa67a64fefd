package trail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/trail"
)

// A tap delivers every call, as an EventBridge event, to its targets in order.
func ExampleTap() {
	print := trail.TargetFunc(func(_ context.Context, b []byte) error {
		var ev trail.Event
		_ = json.Unmarshal(b, &ev)
		fmt.Println(ev.Source, ev.DetailType, ev.Detail.EventName, ev.Detail.ErrorCode, ev.Detail.UserIdentity.UserName)
		return nil
	})
	tap, _ := trail.New(trail.Options{Targets: []trail.Target{print}})
	call := &awsapi.Call{Service: "kms", Operation: "Decrypt", Region: "us-east-1", Time: time.Now(),
		RequestID: awsapi.NewUUID(), Caller: awsapi.Caller{Type: "IAMUser", AccountID: "111122223333",
			ARN: "arn:aws:iam::111122223333:user/alice", AccessKeyID: "AKIDALICE"}}
	tap.APICall(call, awsapi.TrailDetails{ReadOnly: true}, &awsapi.Error{Code: "InvalidCiphertextException"})
	_ = tap.Close()
	// Output:
	// aws.kms AWS API Call via CloudTrail Decrypt InvalidCiphertextException alice
}
