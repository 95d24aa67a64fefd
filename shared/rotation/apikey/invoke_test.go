package apikey

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

// lazyInvoker runs a rotator built after the endpoint it is registered with.
type lazyInvoker struct{ get func() *rotation.Rotator }

func (l *lazyInvoker) Invoke(ctx context.Context, _ string, payload []byte) ([]byte, error) {
	return lambda.NewHandler(l.get().Handle).Invoke(ctx, payload)
}

func eventFor(t *testing.T, c rotationtest.Client, step, token string) events.SecretsManagerSecretRotationEvent {
	t.Helper()
	d, err := c.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("api")})
	if err != nil {
		t.Fatal(err)
	}
	return events.SecretsManagerSecretRotationEvent{Step: step, SecretID: aws.ToString(d.ARN), ClientRequestToken: token}
}
