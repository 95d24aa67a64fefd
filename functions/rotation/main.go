// Command rotation is keyward's Secrets Manager rotation function: PostgreSQL and
// MySQL/MariaDB (single user or alternating users) and HTTP API keys, chosen from
// the secret's "engine" (see shared/rotation). Secrets Manager invokes it once per
// step with a SecretsManagerSecretRotationEvent.
//
// Environment: TABLE_NAME, PASSWORD_LENGTH, PASSWORD_EXCLUDE_CHARACTERS,
// API_KEY_REVOKE_GRACE, CONNECT_TIMEOUT, CA_BUNDLE (see ConfigFromEnv).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func main() {
	log := lambdacontext.NewLogger()
	cfg, err := ConfigFromEnv(os.LookupEnv)
	if err != nil {
		log.Error("rotation: configuration", "error", err.Error())
		os.Exit(1)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("rotation: aws config", "error", err.Error())
		os.Exit(1)
	}
	r := NewRotator(cfg, secretsmanager.NewFromConfig(awsCfg), dynamodb.NewFromConfig(awsCfg), log, os.Stdout)
	lambda.Start(r.Handle)
}
