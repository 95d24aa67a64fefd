package rotation

import (
	"errors"
	"fmt"
)

// Error classes. Every error a rotation returns wraps exactly one of them, so the
// ledger and the alarms can count failures by cause; ErrorClass names it.
var (
	ErrBadEvent          = errors.New("bad rotation event")
	ErrRotationDisabled  = errors.New("rotation is not enabled for the secret")
	ErrTokenNotStaged    = errors.New("token is not a version of the secret")
	ErrTokenNotPending   = errors.New("token is not staged AWSPENDING")
	ErrSecretFormat      = errors.New("secret value is malformed")
	ErrUnsupported       = errors.New("unsupported rotation strategy")
	ErrUnreachable       = errors.New("target unreachable")
	ErrAuth              = errors.New("authentication failed")
	ErrInsecureTransport = errors.New("insecure transport refused")
	ErrTarget            = errors.New("target refused the change")
	ErrSecretsManager    = errors.New("secrets manager call failed")
	ErrPendingInvalid    = errors.New("pending credentials failed the test")
)

var classes = []struct {
	err  error
	name string
}{
	{ErrBadEvent, "BadEvent"},
	{ErrRotationDisabled, "RotationDisabled"},
	{ErrTokenNotStaged, "TokenNotStaged"},
	{ErrTokenNotPending, "TokenNotPending"},
	{ErrSecretFormat, "SecretFormat"},
	{ErrUnsupported, "Unsupported"},
	{ErrInsecureTransport, "InsecureTransport"},
	{ErrUnreachable, "Unreachable"},
	{ErrAuth, "Auth"},
	{ErrTarget, "Target"},
	{ErrPendingInvalid, "PendingInvalid"},
	{ErrSecretsManager, "SecretsManager"},
}

// ErrorClass names the class of err for the ledger and metrics ("" for nil,
// "Internal" when no class applies).
func ErrorClass(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range classes {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "Internal"
}

// Classify wraps err with a class and a context message. The message must not
// contain secret material; neither may err.
func Classify(class error, context string, err error) error {
	if err == nil {
		return fmt.Errorf("%s: %w", context, class)
	}
	return fmt.Errorf("%s: %w: %w", context, class, err)
}
