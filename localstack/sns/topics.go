package sns

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

// topicAttributes are the attributes CreateTopic accepts.
var topicAttributes = map[string]bool{
	"DeliveryPolicy": true, "DisplayName": true, "FifoTopic": true, "Policy": true, "SignatureVersion": true,
	"TracingConfig": true, "KmsMasterKeyId": true, "ContentBasedDeduplication": true, "ArchivePolicy": true,
	"FifoThroughputScope": true,
}

// validTopicName: 1–256 letters, digits, hyphens and underscores; FIFO topics end in .fifo.
func validTopicName(name string, fifo bool) bool {
	base, isFifo := strings.CutSuffix(name, ".fifo")
	if isFifo != fifo || base == "" || len(name) > 256 {
		return false
	}
	for _, r := range base {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

type createTopicResult struct {
	TopicArn string `xml:"TopicArn"`
}

func (s *Service) createTopic(_ *awsapi.Call, p url.Values) (any, error) {
	name, ok := p["Name"]
	if !ok {
		return nil, errRequired("name")
	}
	attrs := map[string]string{}
	for _, e := range entries(p, "Attributes.entry", "key", "value") {
		if !topicAttributes[e["key"]] {
			return nil, errInvalid("Invalid parameter: Attributes Reason: Unknown attribute %s", e["key"])
		}
		attrs[e["key"]] = e["value"]
	}
	fifo := strings.EqualFold(attrs["FifoTopic"], "true")
	if !validTopicName(name[0], fifo) {
		if fifo || strings.HasSuffix(name[0], ".fifo") {
			return nil, errInvalid("Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
		return nil, errInvalid("Invalid parameter: Topic Name")
	}
	tags := map[string]string{}
	for _, e := range entries(p, "Tags.member", "Key", "Value") {
		if e["Key"] == "" || len(e["Key"]) > 128 || len(e["Value"]) > 256 {
			return nil, errInvalid("Invalid parameter: Tags Reason: tag key or value has an invalid length")
		}
		tags[e["Key"]] = e["Value"]
	}
	if len(tags) > 50 {
		return nil, errInvalid("Invalid parameter: Tags Reason: Could not complete request: tag quota of per resource exceeded")
	}
	arn := "arn:aws:sns:" + s.opts.Region + ":" + s.opts.AccountID + ":" + name[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.topics[arn]; ok {
		for k, v := range attrs {
			if t.Attributes[k] != v {
				return nil, errInvalid("Invalid parameter: Attributes Reason: Topic already exists with different attributes")
			}
		}
		return createTopicResult{TopicArn: arn}, nil // CreateTopic is idempotent
	}
	s.topics[arn] = &topic{ARN: arn, Name: name[0], Attributes: attrs, Tags: tags}
	return createTopicResult{TopicArn: arn}, s.saveTopics()
}

// lookup finds a topic by ARN. The caller holds s.mu.
func (s *Service) lookup(arn string) (*topic, error) {
	if !strings.HasPrefix(arn, "arn:aws:sns:") || strings.Count(arn, ":") != 5 {
		return nil, errInvalid("Invalid parameter: TopicArn")
	}
	t, ok := s.topics[arn]
	if !ok {
		return nil, errNotFound("Topic")
	}
	return t, nil
}

func (s *Service) deleteTopic(_ *awsapi.Call, p url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(p.Get("TopicArn"))
	if err != nil {
		if ae, ok := err.(*awsapi.Error); ok && ae.Code == "NotFound" {
			return nil, nil // DeleteTopic of a missing topic succeeds
		}
		return nil, err
	}
	delete(s.topics, t.ARN)
	return nil, s.saveTopics()
}

type member struct {
	TopicArn string `xml:"TopicArn"`
}

type listTopicsResult struct {
	Topics    []member `xml:"Topics>member"`
	NextToken string   `xml:"NextToken,omitempty"`
}

const pageSize = 100

func (s *Service) listTopics(_ *awsapi.Call, p url.Values) (any, error) {
	start := 0
	if tok := p.Get("NextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		n, cerr := strconv.Atoi(strings.TrimPrefix(string(raw), "kw:"))
		if err != nil || cerr != nil || n < 0 || !strings.HasPrefix(string(raw), "kw:") {
			return nil, errInvalid("Invalid parameter: NextToken")
		}
		start = n
	}
	s.mu.Lock()
	arns := sortedARNs(s.topics)
	s.mu.Unlock()
	out := listTopicsResult{Topics: []member{}}
	for i := start; i < len(arns) && i < start+pageSize; i++ {
		out.Topics = append(out.Topics, member{TopicArn: arns[i]})
	}
	if start+pageSize < len(arns) {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("kw:" + strconv.Itoa(start+pageSize)))
	}
	return out, nil
}

type attributeEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type getTopicAttributesResult struct {
	Attributes []attributeEntry `xml:"Attributes>entry"`
}

func (s *Service) getTopicAttributes(_ *awsapi.Call, p url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(p.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	confirmed := 0
	for range t.Subscriptions {
		confirmed++
	}
	attrs := map[string]string{
		"TopicArn": t.ARN, "Owner": s.opts.AccountID, "DisplayName": t.Attributes["DisplayName"],
		"SubscriptionsConfirmed": strconv.Itoa(confirmed), "SubscriptionsPending": "0", "SubscriptionsDeleted": "0",
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false}}`,
	}
	for k, v := range t.Attributes {
		attrs[k] = v
	}
	out := getTopicAttributesResult{}
	for _, k := range sortedKeys(attrs) {
		out.Attributes = append(out.Attributes, attributeEntry{Key: k, Value: attrs[k]})
	}
	return out, nil
}

var protocols = map[string]bool{"http": true, "https": true, "email": true, "email-json": true, "sms": true,
	"sqs": true, "application": true, "lambda": true, "firehose": true}

type subscribeResult struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
}

func (s *Service) subscribe(_ *awsapi.Call, p url.Values) (any, error) {
	proto, endpoint := p.Get("Protocol"), p.Get("Endpoint")
	if !p.Has("Protocol") {
		return nil, errRequired("protocol")
	}
	if !protocols[proto] {
		return nil, errInvalid("Invalid parameter: Amazon SNS does not support this protocol string: %s", proto)
	}
	if endpoint == "" {
		return nil, errInvalid("Invalid parameter: Endpoint")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(p.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	for _, sub := range t.Subscriptions {
		if sub.Protocol == proto && sub.Endpoint == endpoint {
			return subscribeResult{SubscriptionArn: sub.ARN}, nil
		}
	}
	sub := &subscription{ARN: t.ARN + ":" + awsapi.NewUUID(), Protocol: proto, Endpoint: endpoint}
	t.Subscriptions = append(t.Subscriptions, sub)
	if err := s.saveTopics(); err != nil {
		return nil, err
	}
	// http(s) and email endpoints must confirm; locally they are confirmed at once,
	// but the answer is what AWS gives unless ReturnSubscriptionArn is set.
	if (strings.HasPrefix(proto, "http") || strings.HasPrefix(proto, "email")) && p.Get("ReturnSubscriptionArn") != "true" {
		return subscribeResult{SubscriptionArn: "pending confirmation"}, nil
	}
	return subscribeResult{SubscriptionArn: sub.ARN}, nil
}

func (s *Service) unsubscribe(_ *awsapi.Call, p url.Values) (any, error) {
	arn := p.Get("SubscriptionArn")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.topics {
		for i, sub := range t.Subscriptions {
			if sub.ARN == arn {
				t.Subscriptions = append(t.Subscriptions[:i:i], t.Subscriptions[i+1:]...)
				return nil, s.saveTopics()
			}
		}
	}
	return nil, errNotFound("Subscription")
}

type subscriptionMember struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicArn        string `xml:"TopicArn"`
}

type listSubscriptionsByTopicResult struct {
	Subscriptions []subscriptionMember `xml:"Subscriptions>member"`
}

func (s *Service) listSubscriptionsByTopic(_ *awsapi.Call, p url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(p.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	out := listSubscriptionsByTopicResult{Subscriptions: []subscriptionMember{}}
	for _, sub := range t.Subscriptions {
		out.Subscriptions = append(out.Subscriptions, subscriptionMember{SubscriptionArn: sub.ARN, Owner: s.opts.AccountID,
			Protocol: sub.Protocol, Endpoint: sub.Endpoint, TopicArn: t.ARN})
	}
	return out, nil
}
