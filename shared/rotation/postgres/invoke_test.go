package postgres

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/keyward/keyward/shared/rotation"
)

type invokerFunc func(ctx context.Context, payload []byte) error

func (f invokerFunc) Invoke(ctx context.Context, _ string, payload []byte) ([]byte, error) {
	return nil, f(ctx, payload)
}

func invokeRotator(ctx context.Context, r *rotation.Rotator, payload []byte) error {
	var ev events.SecretsManagerSecretRotationEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return err
	}
	_, err := lambda.NewHandler(r.Handle).Invoke(ctx, payload)
	return err
}

func rotationEvent(secretID, step, token string) events.SecretsManagerSecretRotationEvent {
	return events.SecretsManagerSecretRotationEvent{Step: step, SecretID: secretID, ClientRequestToken: token}
}
