package sns

import (
	"errors"
	"net/url"
	"testing"

	"github.com/keyward/keyward/localstack/awsapi"
)

// FuzzPublish: any query string gets a message id or an AWS error, never a panic.
func FuzzPublish(f *testing.F) {
	f.Add("Message=m&Subject=s&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Number&MessageAttributes.entry.1.Value.StringValue=1")
	f.Add("Message=%7B%7D&MessageStructure=json")
	f.Add("Message=m&MessageAttributes.entry.1.Name=b&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=%%")
	f.Fuzz(func(t *testing.T, q string) {
		s, _ := New(Options{})
		arn := mustQuery(t, s, "CreateTopic", "Name", "t").(createTopicResult).TopicArn
		p, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		p.Set("TopicArn", arn)
		p.Del("TargetArn")
		p.Del("PhoneNumber")
		_, err = s.ServeQuery(t.Context(), &awsapi.Call{Operation: "Publish"}, p)
		var ae *awsapi.Error
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("untyped error %v", err)
		}
		if err != nil && len(s.Messages("")) != 0 {
			t.Fatal("a refused message was recorded")
		}
	})
}
