package alarmstate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/keyward/keyward/shared/rules"
)

// Message is the JSON body of an alarm notification: everything a machine needs
// to route it (rule, severity, resource, window) and a human needs to act.
type Message struct {
	Kind          Kind           `json:"kind"`
	Rule          string         `json:"rule"`
	Title         string         `json:"title"`
	Severity      rules.Severity `json:"severity"`
	State         rules.State    `json:"state"`
	PreviousState rules.State    `json:"previousState,omitempty"`
	Resource      string         `json:"resource"`
	Reason        string         `json:"reason"`
	Window        MessageWindow  `json:"window"`
	Since         time.Time      `json:"since"`
	Evidence      rules.Evidence `json:"evidence"`
	Controls      []string       `json:"controls,omitempty"`
	Runbook       string         `json:"runbook"`
	Account       string         `json:"account,omitempty"`
	Region        string         `json:"region,omitempty"`
}

// MessageWindow is the evaluated window in RFC 3339.
type MessageWindow struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// NewMessage renders alarm a for notification kind k.
func NewMessage(a Alarm, k Kind, from rules.State, m rules.Meta, account, region string) Message {
	return Message{Kind: k, Rule: a.Rule, Title: m.Title, Severity: a.Severity, State: a.State,
		PreviousState: from, Resource: a.Resource, Reason: a.Reason,
		Window: MessageWindow{a.Window.Start.UTC(), a.Window.End.UTC()}, Since: a.Since.UTC(),
		Evidence: a.Evidence, Controls: m.Controls, Runbook: m.Runbook, Account: account, Region: region}
}

// maxSubject is SNS's limit for email subjects.
const maxSubject = 100

// Subject is one line a human can triage: severity, kind, rule, short resource.
func (m Message) Subject() string {
	s := fmt.Sprintf("[%s] %s %s: %s", strings.ToUpper(string(m.Severity)), m.Kind, m.Rule, ShortResource(m.Resource))
	if m.Kind == KindResolved {
		s = fmt.Sprintf("[RESOLVED] %s: %s", m.Rule, ShortResource(m.Resource))
	}
	// SNS subjects: ASCII printable, no newlines, at most 100 characters.
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	if len(s) > maxSubject {
		s = s[:maxSubject-3] + "..."
	}
	return s
}

// ShortResource trims an ARN to its resource part ("key/1234…", "secret:prod/db").
func ShortResource(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return arn
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	if parts[2] == "secretsmanager" {
		return strings.TrimPrefix(parts[5], "secret:")
	}
	return parts[5]
}

// Publisher is the part of the SNS client the notifier uses.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Notifier publishes alarm messages to one topic.
type Notifier struct {
	SNS      Publisher
	TopicARN string
}

// Send publishes m with message attributes for SNS filter policies.
func (n Notifier) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("alarm message %s/%s: %w", m.Rule, m.Resource, err)
	}
	str := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err = n.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(n.TopicARN),
		Subject:  aws.String(m.Subject()),
		Message:  aws.String(string(body)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"rule": str(m.Rule), "severity": str(string(m.Severity)), "kind": str(string(m.Kind)),
		},
	})
	if err != nil {
		return fmt.Errorf("publish %s %s/%s: %w", m.Kind, m.Rule, ShortResource(m.Resource), err)
	}
	return nil
}
