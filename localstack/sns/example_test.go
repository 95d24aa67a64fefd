package sns_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/sns"
)

// Published messages are readable at the debug URL the endpoint mounts
// MessagesHandler on.
func ExampleService_MessagesHandler() {
	svc, _ := sns.New(sns.Options{})
	ctx := context.Background()
	_, _ = svc.ServeQuery(ctx, &awsapi.Call{Operation: "CreateTopic"}, url.Values{"Name": {"alerts"}})
	_, _ = svc.ServeQuery(ctx, &awsapi.Call{Operation: "Publish"}, url.Values{
		"TopicArn": {"arn:aws:sns:us-east-1:111122223333:alerts"}, "Subject": {"Key disabled"}, "Message": {"key 1234 was disabled"}})
	for _, m := range svc.Messages("alerts") {
		fmt.Println(m.Subject, "-", m.Message)
	}
	w := httptest.NewRecorder()
	svc.MessagesHandler().ServeHTTP(w, httptest.NewRequest("GET", "/_keyward/sns/messages?topic=alerts", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output:
	// Key disabled - key 1234 was disabled
	// 200 application/json
}
