package rotation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Strategy rotates one kind of credential. Each method must be idempotent: the
// protocol may deliver any step more than once, or again after a crash.
type Strategy interface {
	// Name labels the strategy in metrics and the ledger, e.g. "postgres-single".
	Name() string
	// Create derives the AWSPENDING secret from req.Current (a new password, the
	// other user, a new API key). It is called only while no pending value exists.
	Create(ctx context.Context, req *Request) (Secret, error)
	// Set makes req.Pending valid on the target; it returns at once when the
	// pending credentials already work.
	Set(ctx context.Context, req *Request) error
	// Test proves req.Pending works.
	Test(ctx context.Context, req *Request) error
}

// Finisher is implemented by strategies with work after AWSCURRENT has moved
// (revoking the previous API key). Finish reads the replaced version as
// req.Previous; it runs again when finishSecret is delivered after the move, so it
// must be idempotent.
type Finisher interface {
	Finish(ctx context.Context, req *Request) error
}

// Selector picks the strategy for a secret from its AWSCURRENT value.
type Selector func(current Secret) (Strategy, error)

// Request is what a step knows: the secret, the token, the versions read so far,
// and access to Secrets Manager for the reads a strategy needs.
type Request struct {
	SecretID  string
	Token     string
	Current   Secret // AWSCURRENT (for Finish after the move: the token's version)
	Pending   Secret // AWSPENDING for Token; nil during Create
	Passwords PasswordPolicy
	SM        SecretsManager
}

// NewPassword returns a random password from Secrets Manager following the policy.
func (r *Request) NewPassword(ctx context.Context) (string, error) {
	return NewPassword(ctx, r.SM, r.Passwords)
}

// ReadCurrent reads the AWSCURRENT value of another secret (a master secret, a
// provider credential).
func (r *Request) ReadCurrent(ctx context.Context, secretID string) (Secret, error) {
	return readSecret(ctx, r.SM, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(StageCurrent),
	}, "read AWSCURRENT of referenced secret")
}

// Previous reads this secret's AWSPREVIOUS value; (nil, nil) when there is none,
// so a first rotation never reports a missing AWSPREVIOUS instead of its real error.
func (r *Request) Previous(ctx context.Context) (Secret, error) {
	s, err := readSecret(ctx, r.SM, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(r.SecretID), VersionStage: aws.String(StagePrevious),
	}, "read AWSPREVIOUS")
	if IsNotFound(err) {
		return nil, nil
	}
	return s, err
}

func readSecret(ctx context.Context, sm SecretsManager, in *secretsmanager.GetSecretValueInput, what string) (Secret, error) {
	out, err := sm.GetSecretValue(ctx, in)
	if err != nil {
		return nil, Classify(ErrSecretsManager, what, err)
	}
	if out.SecretString == nil {
		return nil, Classify(ErrSecretFormat, what, nil)
	}
	s, err := ParseSecret(aws.ToString(out.SecretString))
	if err != nil {
		return nil, Classify(ErrSecretFormat, what, err)
	}
	return s, nil
}
