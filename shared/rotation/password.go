package rotation

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// DefaultExcludeCharacters leaves letters, digits and "-._" — characters that
// need no quoting in a URL, a libpq or MySQL DSN, a shell or a JSON string.
const DefaultExcludeCharacters = " !\"#$%&'()*+,/:;<=>?@[\\]^`{|}~"

// PasswordPolicy is what GetRandomPassword is asked for.
type PasswordPolicy struct {
	Length            int64  // 0: 32
	ExcludeCharacters string // used as is; DefaultPasswordPolicy sets DefaultExcludeCharacters
}

// DefaultPasswordPolicy: 32 characters from [A-Za-z0-9-._], about 190 bits.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{Length: 32, ExcludeCharacters: DefaultExcludeCharacters}
}

// NewPassword asks Secrets Manager for a random password following p.
func NewPassword(ctx context.Context, sm SecretsManager, p PasswordPolicy) (string, error) {
	n := p.Length
	if n == 0 {
		n = 32
	}
	out, err := sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{
		PasswordLength:          aws.Int64(n),
		ExcludeCharacters:       aws.String(p.ExcludeCharacters),
		RequireEachIncludedType: aws.Bool(true),
	})
	if err != nil {
		return "", Classify(ErrSecretsManager, "GetRandomPassword", err)
	}
	pw := aws.ToString(out.RandomPassword)
	if pw == "" {
		return "", fmt.Errorf("GetRandomPassword: %w: empty password", ErrSecretsManager)
	}
	return pw, nil
}
