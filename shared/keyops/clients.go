package keyops

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// KMS is the subset of the KMS client keyops calls (SDK signatures).
type KMS interface {
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, optFns ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	CreateAlias(ctx context.Context, in *kms.CreateAliasInput, optFns ...func(*kms.Options)) (*kms.CreateAliasOutput, error)
	EnableKeyRotation(ctx context.Context, in *kms.EnableKeyRotationInput, optFns ...func(*kms.Options)) (*kms.EnableKeyRotationOutput, error)
	GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, optFns ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
	RotateKeyOnDemand(ctx context.Context, in *kms.RotateKeyOnDemandInput, optFns ...func(*kms.Options)) (*kms.RotateKeyOnDemandOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	DisableKey(ctx context.Context, in *kms.DisableKeyInput, optFns ...func(*kms.Options)) (*kms.DisableKeyOutput, error)
	EnableKey(ctx context.Context, in *kms.EnableKeyInput, optFns ...func(*kms.Options)) (*kms.EnableKeyOutput, error)
	ScheduleKeyDeletion(ctx context.Context, in *kms.ScheduleKeyDeletionInput, optFns ...func(*kms.Options)) (*kms.ScheduleKeyDeletionOutput, error)
	CancelKeyDeletion(ctx context.Context, in *kms.CancelKeyDeletionInput, optFns ...func(*kms.Options)) (*kms.CancelKeyDeletionOutput, error)
	CreateGrant(ctx context.Context, in *kms.CreateGrantInput, optFns ...func(*kms.Options)) (*kms.CreateGrantOutput, error)
	ListGrants(ctx context.Context, in *kms.ListGrantsInput, optFns ...func(*kms.Options)) (*kms.ListGrantsOutput, error)
	RevokeGrant(ctx context.Context, in *kms.RevokeGrantInput, optFns ...func(*kms.Options)) (*kms.RevokeGrantOutput, error)
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	GenerateDataKeyWithoutPlaintext(ctx context.Context, in *kms.GenerateDataKeyWithoutPlaintextInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyWithoutPlaintextOutput, error)
}

// SecretsManager is the subset of the Secrets Manager client keyops calls directly
// (reads go through the caching client).
type SecretsManager interface {
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	RotateSecret(ctx context.Context, in *secretsmanager.RotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error)
	ListSecretVersionIds(ctx context.Context, in *secretsmanager.ListSecretVersionIdsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretVersionIdsOutput, error)
}

// SecretCache is the part of secretcache.Cache (aws-secretsmanager-caching-go/v2)
// keyops reads secrets through.
type SecretCache interface {
	GetSecretStringWithStageWithContext(ctx context.Context, secretID, versionStage string) (string, error)
	RefreshNowWithContext(ctx context.Context, secretID string)
}

// DynamoDB is the subset of the DynamoDB client the keyops store calls.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Envelope is what keyops needs from shared/envelope: ESDK messages under a KMS key
// with cached materials.
type Envelope interface {
	// Encrypt returns an ESDK message of plaintext under the KMS key keyARN.
	Encrypt(ctx context.Context, keyARN string, plaintext []byte, ec map[string]string) ([]byte, error)
	// Header parses a message header without any KMS call: the encryption context
	// and the key ARNs of its aws-kms encrypted data keys.
	Header(msg []byte) (MessageHeader, error)
	// Decrypt returns the plaintext of msg, trying only keys in allowedKeyARNs and
	// failing if a key of requiredEC is missing or differs.
	Decrypt(ctx context.Context, msg []byte, allowedKeyARNs []string, requiredEC map[string]string) ([]byte, error)
	// Rewrap returns msg re-encrypted under toKeyARN with the same encryption
	// context; the plaintext stays inside the process (see ESDK for why the body
	// cannot be kept: a rebuilt ESDK v2 header reuses the GCM nonce).
	Rewrap(ctx context.Context, msg []byte, fromKeyARNs []string, toKeyARN string) ([]byte, error)
}

// MessageHeader is what keyops reads from an ESDK header before decrypting.
type MessageHeader struct {
	EncryptionContext map[string]string
	KeyARNs           []string // provider info of the aws-kms encrypted data keys
}

// AuditReader is what keyops reads from the audit store.
type AuditReader interface {
	// LastUse is the latest successful data-plane use (Decrypt, Encrypt,
	// GenerateDataKey*, ReEncrypt*) of any of resources at or after since.
	LastUse(ctx context.Context, resources []string, since time.Time) (Use, bool, error)
	// Events lists audit events of resource in [from, to), newest first, at most limit.
	Events(ctx context.Context, resource string, from, to time.Time, limit int) ([]AuditEvent, error)
}

// Use is one use of a key: who, when, which operation, and where it was recorded.
type Use struct {
	Principal string    `json:"principal"`
	Operation string    `json:"operation"`
	At        time.Time `json:"at"`
	Source    string    `json:"source"` // "audit" (CloudTrail) or "keyops" (this API)
}

// AuditEvent is one audit event as the API returns it (no payloads).
type AuditEvent struct {
	EventID   string    `json:"eventId"`
	Time      time.Time `json:"time"`
	Name      string    `json:"name"`
	Source    string    `json:"source"`
	Principal string    `json:"principal"`
	SourceIP  string    `json:"sourceIp,omitempty"`
	ErrorCode string    `json:"errorCode,omitempty"`
	Count     int64     `json:"count,omitempty"` // aggregated data-plane events
}
