package sns

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Namespace is the xmlns of SNS responses.
const Namespace = "http://sns.amazonaws.com/doc/2010-03-31/"

// DefaultMaxMessages is how many published messages are kept (oldest dropped first).
const DefaultMaxMessages = 10000

// Options configure a Service.
type Options struct {
	Region      string // default us-east-1
	AccountID   string // default 111122223333
	StatePath   string // topics file; messages go to the same name with .messages.jsonl; "" keeps all in memory
	MaxMessages int    // default DefaultMaxMessages
	// OnPublish, when set, is called with every published message, outside any lock.
	OnPublish func(Message)
	// Invoker delivers messages to "lambda" subscriptions; nil records them only.
	Invoker awsapi.Invoker
	Now     func() time.Time
}

// Service is the SNS state of one endpoint; safe for concurrent use.
type Service struct {
	opts     Options
	mu       sync.Mutex
	topics   map[string]*topic // by ARN
	messages []Message
	journal  *journal

	queue      chan delivery // to the delivery worker, started on first use
	workerDone chan struct{}
	pending    sync.WaitGroup
}

type topic struct {
	ARN           string            `json:"arn"`
	Name          string            `json:"name"`
	Attributes    map[string]string `json:"attributes,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	Subscriptions []*subscription   `json:"subscriptions,omitempty"`
	Seq           uint64            `json:"seq"` // FIFO sequence numbers
}

type subscription struct {
	ARN      string `json:"arn"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
}

// New returns a Service, loading topics and messages from opts.StatePath.
func New(o Options) (*Service, error) {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "111122223333"
	}
	if o.MaxMessages <= 0 {
		o.MaxMessages = DefaultMaxMessages
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{opts: o, topics: map[string]*topic{}}
	if o.StatePath != "" {
		if err := s.load(); err != nil {
			return nil, fmt.Errorf("sns: %w", err)
		}
	}
	return s, nil
}

// Namespace implements awsapi.QueryService.
func (*Service) Namespace() string { return Namespace }

type action func(s *Service, call *awsapi.Call, p url.Values) (any, error)

var actions = map[string]action{
	"CreateTopic":              (*Service).createTopic,
	"DeleteTopic":              (*Service).deleteTopic,
	"ListTopics":               (*Service).listTopics,
	"GetTopicAttributes":       (*Service).getTopicAttributes,
	"Publish":                  (*Service).publish,
	"Subscribe":                (*Service).subscribe,
	"Unsubscribe":              (*Service).unsubscribe,
	"ListSubscriptionsByTopic": (*Service).listSubscriptionsByTopic,
}

// ServeQuery implements awsapi.QueryService.
func (s *Service) ServeQuery(_ context.Context, call *awsapi.Call, params url.Values) (any, error) {
	a, ok := actions[call.Operation]
	if !ok {
		return nil, awsapi.NewError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", call.Operation, params.Get("Version"))
	}
	return a(s, call, params)
}

// Close implements io.Closer.
func (s *Service) Close() error {
	s.mu.Lock()
	q, done := s.queue, s.workerDone
	s.queue = nil
	s.mu.Unlock()
	if q != nil { // let queued deliveries finish, for up to 5 s
		close(q)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.journal != nil {
		return s.journal.close()
	}
	return nil
}

func errInvalid(format string, a ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidParameter", format, a...)
}

func errNotFound(what string) *awsapi.Error {
	return awsapi.NewError(http.StatusNotFound, "NotFound", "%s does not exist", what)
}

func errRequired(member string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// entries reads a query protocol map or list: <prefix>.1.<field>, <prefix>.2.<field>, ...
func entries(p url.Values, prefix string, fields ...string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		e := map[string]string{}
		for _, f := range fields {
			if v, ok := p[fmt.Sprintf("%s.%d.%s", prefix, i, f)]; ok && len(v) > 0 {
				e[f] = v[0]
			}
		}
		if len(e) == 0 {
			return out
		}
		out = append(out, e)
	}
}

func sortedARNs(m map[string]*topic) []string {
	arns := make([]string, 0, len(m))
	for a := range m {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	return arns
}
