package awsapi

import (
	"context"
	"net/http"
	"net/url"
)

// QueryService serves one AWS query protocol service (STS, SNS): form-encoded
// Action=…&Version=… requests answered in XML.
type QueryService interface {
	// Namespace is the xmlns of every response, e.g.
	// https://sts.amazonaws.com/doc/2011-06-15/.
	Namespace() string
	// ServeQuery returns the content of the <Action>Result element, marshalled with
	// encoding/xml under that name (nil for actions without a result), or an error
	// that the protocol layer writes as an <ErrorResponse>. call.Operation is the Action.
	ServeQuery(ctx context.Context, call *Call, params url.Values) (any, error)
}

// RESTService serves a REST protocol service (S3, path-style).
type RESTService interface {
	// ServeREST either writes the whole response itself and returns nil, or writes
	// nothing and returns an error that the protocol layer writes as the REST-XML
	// <Error> document (an error that is not *Error becomes 500 InternalError).
	// call.Operation is empty: the service derives it from the method and path.
	ServeREST(w http.ResponseWriter, r *http.Request, call *Call) error
}

// KeyRing is the endpoint's KMS as other local services use it in process
// (Secrets Manager encrypts secret values at rest with it). KeyID accepts a key
// id, key ARN, alias name or alias ARN; an alias "alias/aws/<service>" names an
// AWS managed key that is created on first use. Errors are *Error with the KMS
// code (NotFoundException, DisabledException, KMSInvalidStateException,
// InvalidCiphertextException, ...). When ctx carries the Call that caused the
// use (WithCall), the KMS call is recorded in CloudTrail as invoked by that
// call's service on behalf of its caller, as AWS does.
type KeyRing interface {
	Encrypt(ctx context.Context, keyID string, plaintext []byte, encryptionContext map[string]string) (blob []byte, keyARN string, err error)
	Decrypt(ctx context.Context, blob []byte, encryptionContext map[string]string) (plaintext []byte, keyARN string, err error)
}

type callKey struct{}

// WithCall returns ctx carrying call, so in-process services that act on its
// behalf (a KeyRing) can attribute their work to the original caller.
func WithCall(ctx context.Context, call *Call) context.Context {
	return context.WithValue(ctx, callKey{}, call)
}

// CallFrom returns the Call stored by WithCall, or nil.
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}
