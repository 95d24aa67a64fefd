package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/keyward/keyward/shared/naming"
	"github.com/keyward/keyward/shared/table"
)

// Resources are what Provision made (or found): the stateful stack's table and
// table key, the alarm topic, the audit HMAC key secret and the trail bucket.
type Resources struct {
	Table          string
	TableKeyAlias  string
	TableKeyARN    string
	AlarmTopicARN  string
	AuditSecretARN string
	TrailBucket    string
}

// Provision creates the resources of env on the endpoint cfg points at; it is
// idempotent (a restart with a data dir finds them).
func Provision(ctx context.Context, cfg aws.Config, env naming.Env, account string) (Resources, error) {
	r := Resources{Table: env.TableName(), TableKeyAlias: env.TableKeyAlias(), TrailBucket: env.TrailBucket(account)}
	if err := ensureTable(ctx, dynamodb.NewFromConfig(cfg), r.Table); err != nil {
		return r, err
	}
	var err error
	if r.TableKeyARN, err = ensureKey(ctx, kms.NewFromConfig(cfg), r.TableKeyAlias, "keyward "+string(env)+": encrypts the DynamoDB table"); err != nil {
		return r, err
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(env.AlarmTopic())})
	if err != nil {
		return r, fmt.Errorf("stack: topic %s: %w", env.AlarmTopic(), err)
	}
	r.AlarmTopicARN = aws.ToString(topic.TopicArn)
	if r.AuditSecretARN, err = ensureSecret(ctx, secretsmanager.NewFromConfig(cfg), env.AuditContextKeySecret()); err != nil {
		return r, err
	}
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).
		CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(r.TrailBucket)})
	var owned interface{ ErrorCode() string }
	if err != nil && !(errors.As(err, &owned) && (owned.ErrorCode() == "BucketAlreadyOwnedByYou" || owned.ErrorCode() == "BucketAlreadyExists")) {
		return r, fmt.Errorf("stack: bucket %s: %w", r.TrailBucket, err)
	}
	return r, nil
}

// ensureTable creates the one table from shared/table and turns TTL on.
func ensureTable(ctx context.Context, c *dynamodb.Client, name string) error {
	_, err := c.CreateTable(ctx, table.CreateTableInput(name))
	var inUse *ddbtypes.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stack: create table %s: %w", name, err)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{
			AttributeName: aws.String(table.AttrTTL), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("stack: TTL on %s: %w", name, err)
	}
	return nil
}

// ensureKey returns the key behind alias, creating a symmetric key with
// automatic rotation on (as the stateful stack does) when the alias is free.
func ensureKey(ctx context.Context, c *kms.Client, alias, description string) (string, error) {
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err == nil {
		return aws.ToString(d.KeyMetadata.Arn), nil
	}
	var nf *kmstypes.NotFoundException
	if !errors.As(err, &nf) {
		return "", fmt.Errorf("stack: describe %s: %w", alias, err)
	}
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(description)})
	if err != nil {
		return "", fmt.Errorf("stack: create key for %s: %w", alias, err)
	}
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyMetadata.KeyId}); err != nil {
		return "", fmt.Errorf("stack: rotation of %s: %w", alias, err)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		return "", fmt.Errorf("stack: alias %s: %w", alias, err)
	}
	return aws.ToString(k.KeyMetadata.Arn), nil
}

// ensureSecret returns the ARN of the secret name, creating it with 32 random
// bytes (hex) when missing.
func ensureSecret(ctx context.Context, c *secretsmanager.Client, name string) (string, error) {
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err == nil {
		return aws.ToString(d.ARN), nil
	}
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return "", fmt.Errorf("stack: describe secret %s: %w", name, err)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	s, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(hex.EncodeToString(b))})
	if err != nil {
		return "", fmt.Errorf("stack: create secret %s: %w", name, err)
	}
	return aws.ToString(s.ARN), nil
}
