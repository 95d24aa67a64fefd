package rotation

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// Handle is the Lambda handler: lambda.Start(r.Handle). Secrets Manager treats a
// returned error as a failed step and retries the rotation later.
func (r *Rotator) Handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	return r.Rotate(ctx, ev)
}
