package keyops

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go"
)

// Domain sentinel errors. Every error a route returns wraps one of them (or is an
// AWS API error); statusOf maps them to an HTTP status in this one place.
var (
	ErrBadRequest = errors.New("bad request")           // 400
	ErrForbidden  = errors.New("forbidden")             // 403
	ErrNotFound   = errors.New("not found")             // 404
	ErrConflict   = errors.New("conflict")              // 409
	ErrTooLarge   = errors.New("payload too large")     // 413
	ErrThrottled  = errors.New("too many requests")     // 429
	ErrInternal   = errors.New("internal server error") // 500
)

// apiError is a user-facing error: a stable code, a message without payload data,
// optional details and the sentinel that decides the status.
type apiError struct {
	kind    error
	code    string
	message string
	details any
}

func (e *apiError) Error() string { return e.code + ": " + e.message }
func (e *apiError) Unwrap() error { return e.kind }

func newError(kind error, code, format string, a ...any) *apiError {
	return &apiError{kind: kind, code: code, message: fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) error {
	return newError(ErrBadRequest, "BadRequest", format, a...)
}

func notFound(format string, a ...any) error { return newError(ErrNotFound, "NotFound", format, a...) }

func forbidden(format string, a ...any) error {
	return newError(ErrForbidden, "Forbidden", format, a...)
}

func conflict(code, format string, a ...any) error { return newError(ErrConflict, code, format, a...) }

// statusOf is the single mapping from errors to HTTP status and error code. AWS API
// errors from KMS, Secrets Manager and DynamoDB are mapped by their error code.
func statusOf(err error) (status int, code, message string, details any) {
	var ae *apiError
	if errors.As(err, &ae) {
		return kindStatus(ae.kind), ae.code, ae.message, ae.details
	}
	if errors.Is(err, ErrInternal) {
		return http.StatusInternalServerError, "InternalError", "internal error", nil
	}
	if errors.Is(err, ErrThrottled) {
		return http.StatusTooManyRequests, "Throttled", "too many requests, retry later", nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if st, ok := awsCodeStatus[api.ErrorCode()]; ok {
			return st, api.ErrorCode(), api.ErrorMessage(), nil
		}
	}
	for _, k := range []error{ErrBadRequest, ErrForbidden, ErrNotFound, ErrConflict, ErrTooLarge, ErrThrottled} {
		if errors.Is(err, k) {
			return kindStatus(k), http.StatusText(kindStatus(k)), k.Error(), nil
		}
	}
	return http.StatusInternalServerError, "InternalError", "internal error", nil
}

func kindStatus(kind error) int {
	switch kind {
	case ErrBadRequest:
		return http.StatusBadRequest
	case ErrForbidden:
		return http.StatusForbidden
	case ErrNotFound:
		return http.StatusNotFound
	case ErrConflict:
		return http.StatusConflict
	case ErrTooLarge:
		return http.StatusRequestEntityTooLarge
	case ErrThrottled:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// awsCodeStatus maps AWS error codes a route can meet to the status the caller sees.
// Messages of these errors name resources, never payloads.
var awsCodeStatus = map[string]int{
	// KMS
	"NotFoundException":                      http.StatusNotFound,
	"AlreadyExistsException":                 http.StatusConflict,
	"DisabledException":                      http.StatusConflict,
	"KMSInvalidStateException":               http.StatusConflict,
	"InvalidCiphertextException":             http.StatusBadRequest,
	"IncorrectKeyException":                  http.StatusBadRequest,
	"InvalidGrantIdException":                http.StatusNotFound,
	"InvalidGrantTokenException":             http.StatusBadRequest,
	"InvalidAliasNameException":              http.StatusBadRequest,
	"MalformedPolicyDocumentException":       http.StatusBadRequest,
	"InvalidKeyUsageException":               http.StatusBadRequest,
	"UnsupportedOperationException":          http.StatusBadRequest,
	"LimitExceededException":                 http.StatusTooManyRequests,
	"ThrottlingException":                    http.StatusTooManyRequests,
	"TooManyRequestsException":               http.StatusTooManyRequests,
	"RequestLimitExceeded":                   http.StatusTooManyRequests,
	"ProvisionedThroughputExceededException": http.StatusTooManyRequests,
	"AccessDeniedException":                  http.StatusForbidden,
	// Secrets Manager
	"ResourceNotFoundException": http.StatusNotFound,
	"ResourceExistsException":   http.StatusConflict,
	"InvalidRequestException":   http.StatusConflict,
	"InvalidParameterException": http.StatusBadRequest,
	"DecryptionFailure":         http.StatusConflict,
}
