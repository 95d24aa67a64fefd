package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Error is an AWS-shaped error: the protocol layer writes Code as `__type` (JSON
// protocols) or `Code` (query/REST XML) with Status as the HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// NewError builds an Error with a formatted message.
func NewError(status int, code, format string, a ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

// Validation is the 400 ValidationException every JSON service uses for bad parameters.
func Validation(format string, a ...any) *Error {
	return NewError(http.StatusBadRequest, "ValidationException", format, a...)
}

// Serialization is the 400 SerializationException for a body that is not valid JSON
// or has a field of the wrong type.
func Serialization(format string, a ...any) *Error {
	return NewError(http.StatusBadRequest, "SerializationException", format, a...)
}

// UnknownOperation is returned for an operation a service does not serve.
func UnknownOperation(op string) *Error {
	return NewError(http.StatusBadRequest, "UnknownOperationException", "unknown operation %s", op)
}

// Caller is who made a call, resolved from the SigV4 access key.
type Caller struct {
	AccessKeyID string
	ARN         string // arn:aws:iam::111122223333:user/alice or an assumed-role session ARN
	AccountID   string
	PrincipalID string
	Type        string // IAMUser, AssumedRole, Root, AWSService
	InvokedBy   string // set for calls made by an AWS service on the caller's behalf
	SourceIP    string
	UserAgent   string
}

// Call is one API call as a service sees it.
type Call struct {
	Service   string // signing name: kms, secretsmanager, s3, sns, sts, dynamodb
	Operation string // e.g. Decrypt, GetSecretValue
	Region    string
	RequestID string
	Time      time.Time
	Caller    Caller
	Body      []byte // raw request body (JSON protocols)
}

// JSONService serves one JSON 1.1 protocol service. Serve returns the response
// value (marshalled with encoding/json) or an error; an error that is not *Error
// is reported as a 500 InternalFailure.
type JSONService interface {
	Serve(ctx context.Context, call *Call) (any, error)
}

// Resource is one entry of a CloudTrail record's resources[].
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type,omitempty"`
}

// TrailDetails is what a service reports about a call so the tap can write the
// CloudTrail record. Values that CloudTrail omits (plaintext, secret values) must
// never appear here.
type TrailDetails struct {
	RequestParameters   map[string]any
	ResponseElements    map[string]any
	AdditionalEventData map[string]any
	Resources           []Resource
	ReadOnly            bool
	ManagementEvent     bool
	EventCategory       string // Management or Data
}

// Traced is implemented by services whose calls CloudTrail records.
type Traced interface {
	TrailDetails(call *Call, out any, err error) TrailDetails
}

// ServiceEvent is a CloudTrail "AWS Service Event via CloudTrail" record's content,
// e.g. Secrets Manager's RotationStarted / RotationSucceeded / RotationFailed.
type ServiceEvent struct {
	Source              string // e.g. secretsmanager.amazonaws.com
	EventName           string
	Time                time.Time
	Region              string
	AccountID           string
	AdditionalEventData map[string]any
	ServiceEventDetails map[string]any
	Resources           []Resource
}

// EventSink receives service events (the tap implements it).
type EventSink interface {
	ServiceEvent(ev ServiceEvent)
}

// Invoker invokes a locally registered Lambda function by name or ARN with a JSON
// payload (Secrets Manager's RotateSecret uses it to drive rotation functions).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}
