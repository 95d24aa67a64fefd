package conformance

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
)

func snsClient() *sns.Client { return sns.NewFromConfig(clientConfig("")) }

func topic(t *testing.T, c *sns.Client) string {
	t.Helper()
	out, err := c.CreateTopic(ctxT(t), &sns.CreateTopicInput{Name: aws.String(strings.ReplaceAll(secretName(t), "/", "-"))})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	return aws.ToString(out.TopicArn)
}

func TestSNSCreateTopic(t *testing.T) {
	c, ctx := snsClient(), ctxT(t)
	arn := topic(t, c)
	name := arn[strings.LastIndex(arn, ":")+1:]
	again, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil || aws.ToString(again.TopicArn) != arn {
		t.Errorf("CreateTopic again = %v, %v", again, err)
	}
	var inv *snstypes.InvalidParameterException
	if _, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("no spaces allowed")}); !errors.As(err, &inv) {
		t.Errorf("bad name: %v", err)
	}
}

func TestSNSListTopics(t *testing.T) {
	c, ctx := snsClient(), ctxT(t)
	arn := topic(t, c)
	var arns []string
	p := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range page.Topics {
			arns = append(arns, aws.ToString(tp.TopicArn))
		}
	}
	if !slices.Contains(arns, arn) {
		t.Errorf("ListTopics = %v, missing %s", arns, arn)
	}
}

func TestSNSPublish(t *testing.T) {
	c, ctx := snsClient(), ctxT(t)
	arn := topic(t, c)
	out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("KMS key scheduled for deletion"),
		Message: aws.String(`{"alarm":"key-deletion"}`),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"severity": {DataType: aws.String("String"), StringValue: aws.String("critical")}}})
	if err != nil || aws.ToString(out.MessageId) == "" {
		t.Fatalf("Publish = %v, %v", out, err)
	}
	var inv *snstypes.InvalidParameterException
	cases := map[string]*sns.PublishInput{
		"subject over 100":     {TopicArn: aws.String(arn), Message: aws.String("m"), Subject: aws.String(strings.Repeat("s", 101))},
		"message over 256 KiB": {TopicArn: aws.String(arn), Message: aws.String(strings.Repeat("m", 256*1024+1))},
		"empty message":        {TopicArn: aws.String(arn), Message: aws.String("")},
	}
	for name, in := range cases {
		if _, err := c.Publish(ctx, in); !errors.As(err, &inv) {
			t.Errorf("%s: %v", name, err)
		}
	}
	var nf *snstypes.NotFoundException
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn + "-missing"), Message: aws.String("m")}); !errors.As(err, &nf) {
		t.Errorf("unknown topic: %v", err)
	}
	if local == nil {
		return
	}
	// keyward's debug URL shows what was published
	resp, err := http.Get(local.URL + "/_keyward/sns/messages?topic=" + url.QueryEscape(arn))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var msgs []struct {
		Topic, Subject, Message, MessageID string
		Attributes                         map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal(body, &msgs); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(msgs) != 1 || msgs[0].Subject != "KMS key scheduled for deletion" || msgs[0].Message != `{"alarm":"key-deletion"}` ||
		msgs[0].Attributes["severity"].Value != "critical" || msgs[0].MessageID != aws.ToString(out.MessageId) {
		t.Errorf("recorded messages = %s", body)
	}
}

func TestSNSSubscribe(t *testing.T) {
	c, ctx := snsClient(), ctxT(t)
	arn := topic(t, c)
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("lambda"),
		Endpoint: aws.String("arn:aws:lambda:us-east-1:111122223333:function:audit")})
	if err != nil || !strings.HasPrefix(aws.ToString(sub.SubscriptionArn), arn+":") {
		t.Fatalf("Subscribe = %v, %v", sub, err)
	}
	l, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	if err != nil || len(l.Subscriptions) != 1 || aws.ToString(l.Subscriptions[0].Protocol) != "lambda" {
		t.Errorf("ListSubscriptionsByTopic = %+v, %v", l, err)
	}
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); err != nil {
		t.Error(err)
	}
	if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Error(err)
	}
	var nf *snstypes.NotFoundException
	if _, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)}); !errors.As(err, &nf) {
		t.Errorf("deleted topic: %v", err)
	}
}

// TestSNSStateSurvivesRestart: with a data directory, topics and the recorded
// messages survive an endpoint restart.
func TestSNSStateSurvivesRestart(t *testing.T) {
	requireLocal(t)
	dir := t.TempDir()
	srv := endpointtest.StartWith(t, endpoint.Options{DataDir: dir})
	c, ctx := sns.NewFromConfig(endpointtest.Config(srv, "")), ctxT(t)
	arn := topic(t, c)
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = endpointtest.StartWith(t, endpoint.Options{DataDir: dir})
	c = sns.NewFromConfig(endpointtest.Config(srv, ""))
	if _, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)}); err != nil {
		t.Errorf("topic after restart: %v", err)
	}
	resp, err := http.Get(srv.URL + "/_keyward/sns/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body, _ := io.ReadAll(resp.Body); !strings.Contains(string(body), `"message":"kept"`) {
		t.Errorf("messages after restart = %s", body)
	}
}
