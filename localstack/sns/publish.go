package sns

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Limits from the SNS Publish reference.
const (
	maxMessageBytes = 256 * 1024 // message plus attributes
	maxSubjectLen   = 100
	maxAttributes   = 10
)

// Message is one published message as the debug URL lists it.
type Message struct {
	MessageID              string               `json:"messageId"`
	Topic                  string               `json:"topic"` // topic ARN, or the phone number / target ARN published to
	Subject                string               `json:"subject,omitempty"`
	Message                string               `json:"message"`
	MessageStructure       string               `json:"messageStructure,omitempty"`
	Attributes             map[string]Attribute `json:"attributes,omitempty"`
	MessageGroupID         string               `json:"messageGroupId,omitempty"`
	MessageDeduplicationID string               `json:"messageDeduplicationId,omitempty"`
	SequenceNumber         string               `json:"sequenceNumber,omitempty"`
	Time                   time.Time            `json:"time"`
	Deliveries             []Delivery           `json:"deliveries,omitempty"`
}

// Attribute is a message attribute (BinaryValue is base64, as on the wire).
type Attribute struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type publishResult struct {
	MessageId      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

var attrName = regexp.MustCompile(`^[A-Za-z0-9_\-.]{1,256}$`)

func (s *Service) publish(_ *awsapi.Call, p url.Values) (any, error) {
	msg, err := parsePublish(p)
	if err != nil {
		return nil, err
	}
	targets := 0
	for _, k := range []string{"TopicArn", "TargetArn", "PhoneNumber"} {
		if p.Get(k) != "" {
			targets++
		}
	}
	if targets != 1 {
		return nil, errInvalid("Invalid parameter: TopicArn or TargetArn Reason: exactly one of TopicArn, TargetArn and PhoneNumber must be given")
	}
	s.mu.Lock()
	if arn := p.Get("TopicArn") + p.Get("TargetArn"); arn != "" {
		t, err := s.lookup(arn)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if strings.HasSuffix(t.Name, ".fifo") {
			if msg.MessageGroupID == "" {
				s.mu.Unlock()
				return nil, errInvalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
			}
			if msg.MessageDeduplicationID == "" && !strings.EqualFold(t.Attributes["ContentBasedDeduplication"], "true") {
				s.mu.Unlock()
				return nil, errInvalid("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			if prev, ok := s.duplicate(t, &msg); ok {
				s.mu.Unlock() // within the 5-minute deduplication interval: accepted, not delivered again
				return publishResult{MessageId: prev.MessageID, SequenceNumber: prev.SequenceNumber}, nil
			}
			t.Seq++
			msg.SequenceNumber = strconv.FormatUint(10000000000000000000+t.Seq, 10)
		}
		msg.Topic = t.ARN
	} else {
		msg.Topic = p.Get("PhoneNumber")
	}
	msg.MessageID = awsapi.NewUUID()
	msg.Time = s.opts.Now().UTC()
	var ds []delivery
	if t, ok := s.topics[msg.Topic]; ok {
		ds = s.deliveries(t, &msg)
	}
	err = s.record(msg)
	if err == nil {
		s.enqueue(ds)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if s.opts.OnPublish != nil {
		s.opts.OnPublish(msg)
	}
	return publishResult{MessageId: msg.MessageID, SequenceNumber: msg.SequenceNumber}, nil
}

// dedupWindow is SNS FIFO's deduplication interval.
const dedupWindow = 5 * time.Minute

// duplicate finds a message published to FIFO topic t with the same
// deduplication id (or, with ContentBasedDeduplication, the same body's
// SHA-256) within the deduplication interval. The caller holds s.mu.
func (s *Service) duplicate(t *topic, m *Message) (Message, bool) {
	if m.MessageDeduplicationID == "" {
		sum := sha256.Sum256([]byte(m.Message))
		m.MessageDeduplicationID = hex.EncodeToString(sum[:])
	}
	since := s.opts.Now().Add(-dedupWindow)
	for i := len(s.messages) - 1; i >= 0 && s.messages[i].Time.After(since); i-- {
		if p := s.messages[i]; p.Topic == t.ARN && p.MessageDeduplicationID == m.MessageDeduplicationID {
			return p, true
		}
	}
	return Message{}, false
}

// parsePublish applies Publish's documented constraints to the request.
func parsePublish(p url.Values) (Message, error) {
	var m Message
	if !p.Has("Message") {
		return m, errRequired("message")
	}
	m.Message = p.Get("Message")
	if m.Message == "" {
		return m, errInvalid("Invalid parameter: Empty message")
	}
	if !utf8.ValidString(m.Message) {
		return m, errInvalid("Invalid parameter: Message Reason: not valid UTF-8")
	}
	if p.Has("Subject") {
		m.Subject = p.Get("Subject")
		if err := checkSubject(m.Subject); err != nil {
			return m, err
		}
	}
	m.MessageStructure = p.Get("MessageStructure")
	switch m.MessageStructure {
	case "":
	case "json":
		var bodies map[string]any
		if err := json.Unmarshal([]byte(m.Message), &bodies); err != nil {
			return m, errInvalid("Invalid parameter: Message Structure - JSON message body failed to parse")
		}
		if d, ok := bodies["default"].(string); !ok || d == "" {
			return m, errInvalid("Invalid parameter: Message Structure - No default entry in JSON message body")
		}
	default:
		return m, errInvalid("Invalid parameter: MessageStructure")
	}
	m.MessageGroupID, m.MessageDeduplicationID = p.Get("MessageGroupId"), p.Get("MessageDeduplicationId")
	if len(m.MessageGroupID) > 128 || len(m.MessageDeduplicationID) > 128 {
		return m, errInvalid("Invalid parameter: MessageGroupId or MessageDeduplicationId longer than 128 characters")
	}
	size := len(m.Message)
	attrs := entries(p, "MessageAttributes.entry", "Name", "Value.DataType", "Value.StringValue", "Value.BinaryValue")
	if len(attrs) > maxAttributes {
		return m, errInvalid("Invalid parameter: MessageAttributes Reason: too many message attributes (limit %d)", maxAttributes)
	}
	for _, a := range attrs {
		name, typ := a["Name"], a["Value.DataType"]
		if !attrName.MatchString(name) || strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon.") {
			return m, errValue("The message attribute name '%s' is invalid.", name)
		}
		base, _, _ := strings.Cut(typ, ".")
		if typ == "String.Array" {
			base = "String.Array"
		}
		v := a["Value.StringValue"]
		switch base {
		case "String", "Number", "String.Array":
			if v == "" {
				return m, errValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, typ)
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					return m, errValue("Could not cast message attribute '%s' value to number.", name)
				}
			}
			if base == "String.Array" {
				var arr []any
				if json.Unmarshal([]byte(v), &arr) != nil {
					return m, errValue("The message attribute '%s' with type 'String.Array' has an invalid value.", name)
				}
			}
		case "Binary":
			v = a["Value.BinaryValue"]
			if _, err := base64.StdEncoding.DecodeString(v); err != nil || v == "" {
				return m, errValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
		default:
			return m, errValue("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		if m.Attributes == nil {
			m.Attributes = map[string]Attribute{}
		}
		m.Attributes[name] = Attribute{Type: typ, Value: v}
		size += len(name) + len(typ) + len(v)
	}
	if size > maxMessageBytes {
		return m, errInvalid("Invalid parameter: Message too long")
	}
	return m, nil
}

// checkSubject: at most 100 ASCII characters, beginning with a letter, number or
// punctuation mark, without line breaks or control characters.
func checkSubject(s string) error {
	bad := errInvalid("Invalid parameter: Subject")
	if s == "" || len(s) > maxSubjectLen {
		return bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return bad
		}
	}
	if s[0] == ' ' {
		return bad
	}
	return nil
}

func errValue(format string, a ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ParameterValueInvalid", format, a...)
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
