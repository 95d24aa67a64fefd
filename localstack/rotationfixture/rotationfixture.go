// Package rotationfixture stages the secret the rotation step fixtures
// (events/secretsmanager-rotation-*.json) name, so that `make invoke FN=rotation`
// runs each step against a local endpoint: a single-user PostgreSQL secret for a
// dedicated role on 127.0.0.1, rotation enabled, and the fixtures' token staged
// AWSPENDING. localstack/cmd/provision (`make local-up`) calls Ensure.
package rotationfixture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/jackc/pgx/v5"
)

// The values the fixture files carry. The endpoint resolves the fixtures'
// SecretId (an ARN whose 6-character suffix it cannot reproduce) as a partial ARN
// ending with SecretName, so the files run unchanged.
const (
	SecretName = "keyward/rotation-demo-AbCdEf"
	Token      = "6b1e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
	Role       = "keyward_rotation_demo"
)

// Options say where the PostgreSQL role lives and which function rotates.
type Options struct {
	// PostgresURL is a superuser connection used to create Role
	// (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
	PostgresURL string
	// Host and Port go into the secret (default 127.0.0.1:5432, "ssl": false).
	Host string
	Port int
	// FunctionARN is the rotation function RotateSecret records.
	FunctionARN string
}

// SecretsManager is the part of the SDK client Ensure uses.
type SecretsManager interface {
	CreateSecret(context.Context, *secretsmanager.CreateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	RotateSecret(context.Context, *secretsmanager.RotateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error)
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(context.Context, *secretsmanager.PutSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// Ensure creates the role and the secret, enables rotation and stages Token as
// AWSPENDING. It is idempotent: once Token is a version of the secret (staged,
// or rotated to AWSCURRENT by the fixtures) it changes nothing.
func Ensure(ctx context.Context, sm SecretsManager, o Options) error {
	o = o.withDefaults()
	if err := ensureRole(ctx, o.PostgresURL); err != nil {
		return err
	}
	value, err := json.Marshal(map[string]any{"engine": "postgres", "host": o.Host, "port": o.Port,
		"username": Role, "password": randomPassword(), "dbname": "postgres", "ssl": false})
	if err != nil {
		return err
	}
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(SecretName),
		Description: aws.String("keyward: the secret the rotation step fixtures rotate"), SecretString: aws.String(string(value))})
	var exists *smtypes.ResourceExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("rotation fixture: create secret %s: %w", SecretName, err)
	}
	desc, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(SecretName)})
	if err != nil {
		return fmt.Errorf("rotation fixture: describe %s: %w", SecretName, err)
	}
	if _, staged := desc.VersionIdsToStages[Token]; staged {
		return nil
	}
	if !aws.ToBool(desc.RotationEnabled) {
		// RotateImmediately=false only tests the configuration (one testSecret
		// invoke, whose outcome RotateSecret ignores) and leaves rotation enabled.
		if _, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(SecretName),
			RotationLambdaARN: aws.String(o.FunctionARN), RotateImmediately: aws.Bool(false),
			RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}}); err != nil {
			return fmt.Errorf("rotation fixture: enable rotation of %s: %w", SecretName, err)
		}
	}
	// The pending value is the current one: createSecret keeps a value it finds
	// for the token, and setSecret/testSecret/finishSecret run on it as on AWS
	// after a createSecret.
	cur, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(SecretName), VersionStage: aws.String("AWSCURRENT")})
	if err != nil {
		return fmt.Errorf("rotation fixture: read %s: %w", SecretName, err)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(SecretName),
		ClientRequestToken: aws.String(Token), SecretString: cur.SecretString, VersionStages: []string{"AWSPENDING"}}); err != nil {
		return fmt.Errorf("rotation fixture: stage %s AWSPENDING: %w", Token, err)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.PostgresURL == "" {
		o.PostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = 5432
	}
	return o
}

func ensureRole(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("rotation fixture: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+Role+`') THEN CREATE ROLE `+Role+` LOGIN; END IF;
END$$`)
	if err != nil {
		return fmt.Errorf("rotation fixture: create role %s: %w", Role, err)
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
