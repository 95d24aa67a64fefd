package posture

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keyward/keyward/shared/rules"
)

var now = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)

func days(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

type fakeSM []smtypes.SecretListEntry

func (f fakeSM) ListSecrets(_ context.Context, in *secretsmanager.ListSecretsInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error) {
	// two pages, to exercise the paginator
	if in.NextToken == nil && len(f) > 1 {
		return &secretsmanager.ListSecretsOutput{SecretList: f[:1], NextToken: aws.String("p2")}, nil
	}
	if in.NextToken != nil {
		return &secretsmanager.ListSecretsOutput{SecretList: f[1:]}, nil
	}
	return &secretsmanager.ListSecretsOutput{SecretList: f}, nil
}

type fakeKMS struct {
	keys     []kmstypes.KeyMetadata
	rotation map[string]bool
}

func (f fakeKMS) ListKeys(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error) {
	out := &kms.ListKeysOutput{}
	for _, k := range f.keys {
		out.Keys = append(out.Keys, kmstypes.KeyListEntry{KeyId: k.KeyId, KeyArn: k.Arn})
	}
	return out, nil
}

func (f fakeKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	for _, k := range f.keys {
		if aws.ToString(k.KeyId) == aws.ToString(in.KeyId) {
			return &kms.DescribeKeyOutput{KeyMetadata: &k}, nil
		}
	}
	return nil, &kmstypes.NotFoundException{}
}

func (f fakeKMS) GetKeyRotationStatus(_ context.Context, in *kms.GetKeyRotationStatusInput, _ ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error) {
	return &kms.GetKeyRotationStatusOutput{KeyRotationEnabled: f.rotation[aws.ToString(in.KeyId)]}, nil
}

func key(id string, mgr kmstypes.KeyManagerType, state kmstypes.KeyState) kmstypes.KeyMetadata {
	return kmstypes.KeyMetadata{KeyId: aws.String(id), Arn: aws.String("arn:aws:kms:us-east-1:111122223333:key/" + id),
		KeyManager: mgr, KeyState: state, KeySpec: kmstypes.KeySpecSymmetricDefault, Origin: kmstypes.OriginTypeAwsKms}
}

func secret(name string, rot bool, every int64, rotated, accessed time.Time) smtypes.SecretListEntry {
	e := smtypes.SecretListEntry{ARN: aws.String("arn:aws:secretsmanager:us-east-1:111122223333:secret:" + name),
		RotationEnabled: aws.Bool(rot), CreatedDate: aws.Time(days(400)), LastAccessedDate: aws.Time(accessed)}
	if every > 0 {
		e.RotationRules = &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(every)}
	}
	if !rotated.IsZero() {
		e.LastRotatedDate = aws.Time(rotated)
	}
	return e
}

func TestChecker(t *testing.T) {
	c := Checker{
		Config: DefaultConfig(),
		Secrets: fakeSM{
			secret("good", true, 30, days(10), days(1)),
			secret("no-rotation", false, 0, time.Time{}, days(1)),
			secret("overdue", true, 30, days(32), days(1)),
			secret("within-grace", true, 30, days(30).Add(-12*time.Hour), days(1)),
			secret("unused", true, 30, days(3), days(91)),
		},
		Keys: fakeKMS{
			keys: []kmstypes.KeyMetadata{
				key("rotating", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled),
				key("static", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled),
				key("doomed", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStatePendingDeletion),
				key("aws-managed", kmstypes.KeyManagerTypeAws, kmstypes.KeyStateEnabled),
			},
			rotation: map[string]bool{"rotating": true},
		},
	}
	fs, err := c.Run(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]rules.State{}
	for _, f := range fs {
		got[f.Rule+" "+strings.SplitN(f.Resource, ":", 6)[5]] = f.State
		if f.Reason == "" {
			t.Errorf("%s %s: empty reason", f.Rule, f.Resource)
		}
		if _, ok := Metas()[f.Rule]; !ok {
			t.Errorf("finding of unknown rule %s", f.Rule)
		}
	}
	want := map[string]rules.State{
		"rotation-disabled secret:good":        rules.StateOK,
		"rotation-disabled secret:no-rotation": rules.StateAlarm,
		"rotation-overdue secret:no-rotation":  rules.StateAlarm, // created 400 days ago, never rotated
		"rotation-overdue secret:overdue":      rules.StateAlarm,
		"rotation-overdue secret:within-grace": rules.StateOK,
		"rotation-overdue secret:good":         rules.StateOK,
		"secret-unused secret:unused":          rules.StateAlarm,
		"secret-unused secret:good":            rules.StateOK,
		"key-rotation-disabled key/rotating":   rules.StateOK,
		"key-rotation-disabled key/static":     rules.StateAlarm,
		"key-pending-deletion key/doomed":      rules.StateAlarm,
		"key-pending-deletion key/static":      rules.StateOK,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if len(k) > 0 && (k == "key-rotation-disabled key/aws-managed" || k == "key-pending-deletion key/aws-managed" || k == "key-rotation-disabled key/doomed") {
			t.Errorf("%s must not be judged", k)
		}
	}
}
