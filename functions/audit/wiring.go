package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/table"
)

// localContextKey keys the encryption-context HMAC when the function runs
// against a local endpoint with no key configured. Never used against AWS.
const localContextKey = "keyward-local-context-hmac-key"

// SecretReader is the part of the Secrets Manager client the wiring uses.
type SecretReader interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// newHandler wires the environment to clients and the handler:
//
//	TABLE_NAME                    the keyward table (default keyward)
//	AUDIT_CONTEXT_KEY_SECRET_ID   Secrets Manager secret holding the HMAC key for
//	                              encryption-context values (production)
//	AUDIT_CONTEXT_KEY             the HMAC key itself (local use only)
//	AUDIT_SHARDS                  counter shards (default 4)
//	AUDIT_EVENT_RETENTION_DAYS    days individual events are kept (default 400)
//	AUDIT_MAX_OBJECT_MB           largest log file read (default 256)
//	AWS_ENDPOINT_URL              the local endpoint (SDK setting)
func newHandler(ctx context.Context, env func(string) string) (*Handler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	key, err := contextKey(ctx, env, secretsmanager.NewFromConfig(cfg))
	if err != nil {
		return nil, err
	}
	shards, err := positive(env, "AUDIT_SHARDS", 4)
	if err != nil {
		return nil, err
	}
	days, err := positive(env, "AUDIT_EVENT_RETENTION_DAYS", 400)
	if err != nil {
		return nil, err
	}
	maxMB, err := positive(env, "AUDIT_MAX_OBJECT_MB", 256)
	if err != nil {
		return nil, err
	}
	// The store's monotonic updates answer "condition failed" by design, and DynamoDB
	// sends no x-amz-crc32 on error responses: the SDK then logs a spurious WARN per
	// request (aws/aws-sdk-go-v2#3545). TLS already guards the bytes.
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true })
	store := audit.NewStore(db, audit.StoreConfig{
		Table:          or(env("TABLE_NAME"), table.DefaultName),
		Shards:         shards,
		EventRetention: time.Duration(days) * 24 * time.Hour,
	})
	return &Handler{
		Store:          store,
		Objects:        s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = env("AWS_ENDPOINT_URL") != "" }),
		Parser:         audit.ParserConfig{ContextKey: key},
		Metrics:        &Metrics{W: os.Stdout},
		MaxObjectBytes: int64(maxMB) << 20,
	}, nil
}

// contextKey loads the HMAC key: from Secrets Manager in production, from the
// environment locally, or the fixed local key when only a local endpoint is set.
func contextKey(ctx context.Context, env func(string) string, sm SecretReader) ([]byte, error) {
	if id := env("AUDIT_CONTEXT_KEY_SECRET_ID"); id != "" {
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("context key secret: %w", err)
		}
		switch {
		case out.SecretString != nil && *out.SecretString != "":
			return []byte(*out.SecretString), nil
		case len(out.SecretBinary) > 0:
			return out.SecretBinary, nil
		}
		return nil, errors.New("context key secret is empty")
	}
	if k := env("AUDIT_CONTEXT_KEY"); k != "" {
		return []byte(k), nil
	}
	if env("AWS_ENDPOINT_URL") != "" {
		return []byte(localContextKey), nil
	}
	return nil, errors.New("no encryption-context HMAC key: set AUDIT_CONTEXT_KEY_SECRET_ID")
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func positive(env func(string) string, name string, def int) (int, error) {
	v := env(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s %q: want a positive integer", name, v)
	}
	return n, nil
}
