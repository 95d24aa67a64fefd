package rotation

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// Handle is the Lambda handler: lambda.Start(r.Handle). Secrets Manager treats a
// returned error as a failed step and retries the rotation later. Errors are
// returned as *StepError, so Lambda reports errorType "StepError" and the
// message starts with the error class.
func (r *Rotator) Handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	if err := r.Rotate(ctx, ev); err != nil {
		return &StepError{Step: ev.Step, Class: ErrorClass(err), Err: err}
	}
	return nil
}

// StepError is a failed rotation step as the Lambda runtime reports it.
type StepError struct {
	Step  string
	Class string // ErrorClass of Err
	Err   error
}

func (e *StepError) Error() string { return e.Class + ": " + e.Step + ": " + e.Err.Error() }

func (e *StepError) Unwrap() error { return e.Err }
