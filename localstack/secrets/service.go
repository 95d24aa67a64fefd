package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// DefaultKeyID is the AWS managed key Secrets Manager uses when a secret names none.
const DefaultKeyID = "alias/aws/secretsmanager"

// Options configure a Service.
type Options struct {
	Region    string           // default us-east-1
	AccountID string           // default 111122223333
	Keys      awsapi.KeyRing   // required: encrypts secret values at rest
	Invoker   awsapi.Invoker   // runs rotation functions; nil refuses RotateSecret
	Events    awsapi.EventSink // receives RotationStarted/Succeeded/Failed; may be nil
	Now       func() time.Time // default time.Now
	StatePath string           // state file (saved atomically after every write); "" keeps state in memory
}

// Service is the Secrets Manager state of one endpoint. It is safe for concurrent
// use; rotation functions run without its lock held, so they can call back.
type Service struct {
	opts     Options
	mu       sync.Mutex
	secrets  map[string]*secret // by ARN
	byName   map[string]*secret
	deleting map[string]*secret // scheduled for deletion, by ARN
}

// New returns an empty Service.
func New(o Options) (*Service, error) {
	if o.Keys == nil {
		return nil, errors.New("secrets: Options.Keys (the endpoint's KMS) is required")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "111122223333"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{opts: o, secrets: map[string]*secret{}, byName: map[string]*secret{}, deleting: map[string]*secret{}}
	if o.StatePath != "" {
		st, err := loadFile(o.StatePath)
		if err != nil {
			return nil, fmt.Errorf("secrets: %w", err)
		}
		s.load(st)
	}
	return s, nil
}

type handler func(s *Service, ctx context.Context, call *awsapi.Call) (any, error)

var handlers = map[string]handler{
	"CreateSecret":             (*Service).createSecret,
	"DescribeSecret":           (*Service).describeSecret,
	"GetSecretValue":           (*Service).getSecretValue,
	"BatchGetSecretValue":      (*Service).batchGetSecretValue,
	"PutSecretValue":           (*Service).putSecretValue,
	"UpdateSecret":             (*Service).updateSecret,
	"UpdateSecretVersionStage": (*Service).updateSecretVersionStage,
	"ListSecretVersionIds":     (*Service).listSecretVersionIDs,
	"ListSecrets":              (*Service).listSecrets,
	"GetRandomPassword":        (*Service).getRandomPassword,
	"RotateSecret":             (*Service).rotateSecret,
	"CancelRotateSecret":       (*Service).cancelRotateSecret,
	"DeleteSecret":             (*Service).deleteSecret,
	"RestoreSecret":            (*Service).restoreSecret,
	"PutResourcePolicy":        (*Service).putResourcePolicy,
	"GetResourcePolicy":        (*Service).getResourcePolicy,
	"DeleteResourcePolicy":     (*Service).deleteResourcePolicy,
	"TagResource":              (*Service).tagResource,
	"UntagResource":            (*Service).untagResource,
}

// Serve implements awsapi.JSONService.
func (s *Service) Serve(ctx context.Context, call *awsapi.Call) (any, error) {
	h, ok := handlers[call.Operation]
	if !ok {
		return nil, awsapi.UnknownOperation(call.Operation)
	}
	out, err := h(s, awsapi.WithCall(ctx, call), call)
	if err == nil && !readOnly[call.Operation] {
		s.mu.Lock()
		err = s.save()
		s.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("secrets: persist state: %w", err)
		}
	}
	return out, err
}

// decode unmarshals a JSON request body; an empty body is an empty object.
func decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return awsapi.Serialization("field %s has the wrong type", te.Field)
		}
		return awsapi.Serialization("request body is not valid JSON")
	}
	return nil
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }
