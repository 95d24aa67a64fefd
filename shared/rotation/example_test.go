package rotation_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

// A Rotator handles one step per invocation; here the in-memory Secrets Manager
// drives all four through it, with a strategy that only derives a new password.
func ExampleRotator() {
	ctx := context.Background()
	var r *rotation.Rotator
	sm := rotationtest.New(invokerFunc(func(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
		return r.Handle(ctx, ev)
	}))
	r = &rotation.Rotator{
		SM:        sm,
		Passwords: rotation.DefaultPasswordPolicy(),
		Select:    func(rotation.Secret) (rotation.Strategy, error) { return passwordOnly{}, nil },
	}
	_, _ = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String(`{"username":"app","password":"initial"}`)})
	_, _ = sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("app/db"), RotationLambdaARN: aws.String("rotation")})

	out, _ := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionStage: aws.String(rotation.StageCurrent)})
	s, _ := rotation.ParseSecret(aws.ToString(out.SecretString))
	pw, _ := s.String("password")
	fmt.Println(len(pw), pw != "initial")
	// Output: 32 true
}

type passwordOnly struct{}

func (passwordOnly) Name() string { return "example" }

func (passwordOnly) Create(ctx context.Context, req *rotation.Request) (rotation.Secret, error) {
	pw, err := req.NewPassword(ctx)
	return req.Current.With(map[string]any{"password": pw}), err
}

func (passwordOnly) Set(context.Context, *rotation.Request) error  { return nil }
func (passwordOnly) Test(context.Context, *rotation.Request) error { return nil }

type invokerFunc func(context.Context, events.SecretsManagerSecretRotationEvent) error

func (f invokerFunc) Invoke(ctx context.Context, _ string, payload []byte) ([]byte, error) {
	var ev events.SecretsManagerSecretRotationEvent
	if err := jsonUnmarshal(payload, &ev); err != nil {
		return nil, err
	}
	return nil, f(ctx, ev)
}

var jsonUnmarshal = json.Unmarshal
