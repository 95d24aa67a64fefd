package secrets

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/keyward/keyward/localstack/awsapi"
)

// maxValueLen is the documented limit for SecretString and SecretBinary.
const maxValueLen = 65536

// value is a secret value as a request carries it.
type value struct {
	String *string
	Binary []byte
}

func (v value) empty() bool { return v.String == nil && v.Binary == nil }

func (v value) bytes() []byte {
	if v.String != nil {
		return []byte(*v.String)
	}
	return v.Binary
}

// check applies the API's constraints to a value before anything is written.
func (v value) check() *awsapi.Error {
	if v.String != nil && v.Binary != nil {
		return errParam("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if v.String != nil && len(*v.String) > maxValueLen {
		return errLength("secretString", maxValueLen)
	}
	if len(v.Binary) > maxValueLen {
		return errLength("secretBinary", maxValueLen)
	}
	if v.String != nil && len(*v.String) == 0 {
		return errMinLength("secretString", 1)
	}
	if v.Binary != nil && len(v.Binary) == 0 {
		return errMinLength("secretBinary", 1)
	}
	return nil
}

func encryptionContext(arn, versionID string) map[string]string {
	return map[string]string{"SecretARN": arn, "SecretVersionId": versionID}
}

func (sec *secret) keyID() string {
	if sec.KmsKeyID == "" {
		return DefaultKeyID
	}
	return sec.KmsKeyID
}

// seal encrypts v for version versionID of sec with the secret's KMS key.
func (s *Service) seal(ctx context.Context, sec *secret, keyID, versionID string, v value) (*version, error) {
	blob, keyARN, err := s.opts.Keys.Encrypt(ctx, keyID, v.bytes(), encryptionContext(sec.ARN, versionID))
	if err != nil {
		return nil, kmsFailure("EncryptionFailure", "encrypt", err)
	}
	return &version{ID: versionID, Value: blob, Binary: v.Binary != nil, KeyARN: keyARN}, nil
}

// open decrypts a version's value.
func (s *Service) open(ctx context.Context, sec *secret, v *version) ([]byte, error) {
	plain, _, err := s.opts.Keys.Decrypt(ctx, v.Value, encryptionContext(sec.ARN, v.ID))
	if err != nil {
		return nil, kmsFailure("DecryptionFailure", "decrypt", err)
	}
	return plain, nil
}

// sameValue reports whether version v already holds value nv (PutSecretValue's
// idempotency check).
func (s *Service) sameValue(ctx context.Context, sec *secret, v *version, nv value) (bool, error) {
	if v.Binary != (nv.Binary != nil) {
		return false, nil
	}
	plain, err := s.open(ctx, sec, v)
	if err != nil {
		return false, err
	}
	return bytes.Equal(plain, nv.bytes()), nil
}

// kmsFailure turns a KMS error into Secrets Manager's EncryptionFailure or
// DecryptionFailure, keeping KMS's code and message so the cause is visible.
func kmsFailure(code, verb string, err error) error {
	var ae *awsapi.Error
	if !errors.As(err, &ae) {
		return err
	}
	return awsapi.NewError(http.StatusBadRequest, code, "Secrets Manager can't %s the protected secret text using the provided KMS key: %s", verb, ae.Error())
}
