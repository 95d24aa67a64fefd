package posture

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/shared/rules"
)

// SecretsManager is the part of the Secrets Manager client the checks use.
type SecretsManager interface {
	ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
}

// KMS is the part of the KMS client the checks use.
type KMS interface {
	ListKeys(ctx context.Context, in *kms.ListKeysInput, optFns ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, optFns ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
}

// Checker runs the posture checks against the live services.
type Checker struct {
	Secrets SecretsManager // nil: skip secret checks
	Keys    KMS            // nil: skip key checks
	Config  Config
}

// Run lists every secret and key once and returns a finding per check and
// resource. A key that vanished between listing and describing is skipped.
func (c Checker) Run(ctx context.Context, now time.Time) ([]rules.Finding, error) {
	var out []rules.Finding
	if c.Secrets != nil {
		p := secretsmanager.NewListSecretsPaginator(c.Secrets, &secretsmanager.ListSecretsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("posture: list secrets: %w", err)
			}
			for _, s := range page.SecretList {
				if s.DeletedDate != nil {
					continue
				}
				f := SecretFacts{ARN: aws.ToString(s.ARN), RotationEnabled: aws.ToBool(s.RotationEnabled),
					LastRotated: aws.ToTime(s.LastRotatedDate), LastAccessed: aws.ToTime(s.LastAccessedDate),
					Created: aws.ToTime(s.CreatedDate), NextRotation: aws.ToTime(s.NextRotationDate)}
				if s.RotationRules != nil {
					f.RotationDays = aws.ToInt64(s.RotationRules.AutomaticallyAfterDays)
				}
				out = append(out, c.Config.CheckSecret(f, now)...)
			}
		}
	}
	if c.Keys != nil {
		p := kms.NewListKeysPaginator(c.Keys, &kms.ListKeysInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("posture: list keys: %w", err)
			}
			for _, k := range page.Keys {
				f, ok, err := c.describe(ctx, aws.ToString(k.KeyId))
				if err != nil {
					return nil, err
				}
				if ok {
					out = append(out, c.Config.CheckKey(f)...)
				}
			}
		}
	}
	return out, nil
}

func (c Checker) describe(ctx context.Context, id string) (KeyFacts, bool, error) {
	d, err := c.Keys.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	var nf *kmstypes.NotFoundException
	if errors.As(err, &nf) {
		return KeyFacts{}, false, nil
	}
	if err != nil {
		return KeyFacts{}, false, fmt.Errorf("posture: describe key %s: %w", id, err)
	}
	m := d.KeyMetadata
	f := KeyFacts{ARN: aws.ToString(m.Arn), CustomerManaged: m.KeyManager == kmstypes.KeyManagerTypeCustomer,
		Symmetric: m.KeySpec == kmstypes.KeySpecSymmetricDefault || (m.KeySpec == "" && m.KeyUsage == kmstypes.KeyUsageTypeEncryptDecrypt),
		AWSOrigin: m.Origin == kmstypes.OriginTypeAwsKms || m.Origin == "", State: string(m.KeyState),
		DeletionDate: aws.ToTime(m.DeletionDate)}
	if f.CustomerManaged && f.Symmetric && f.AWSOrigin && m.KeyState != kmstypes.KeyStatePendingDeletion {
		r, err := c.Keys.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
		if err != nil {
			return KeyFacts{}, false, fmt.Errorf("posture: rotation status of %s: %w", id, err)
		}
		f.RotationEnabled = r.KeyRotationEnabled
	}
	return f, true, nil
}
