package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
)

func smClient() *secretsmanager.Client { return secretsmanager.NewFromConfig(clientConfig("")) }

// secretName is a name no other test (or earlier run against a shared endpoint) uses.
func secretName(t *testing.T) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "conformance/" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + hex.EncodeToString(b)
}

func smToken(c byte) *string { return aws.String(strings.Repeat(string(c), 32) + "-conformance") }

// apiCode is the error code the SDK parsed, for errors without a modelled type.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func createSecret(t *testing.T, c *secretsmanager.Client, value string) (name, arn string) {
	t.Helper()
	name = secretName(t)
	out, err := c.CreateSecret(ctxT(t), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value),
		ClientRequestToken: smToken('1')})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: out.ARN, ForceDeleteWithoutRecovery: aws.Bool(true)})
	})
	return name, aws.ToString(out.ARN)
}

func TestSecretsManagerCreateSecret(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, arn := createSecret(t, c, "v")
	if !strings.HasPrefix(arn, "arn:aws:secretsmanager:us-east-1:") || !strings.Contains(arn, ":secret:"+name+"-") || len(arn)-len(name) < 7 {
		t.Errorf("ARN = %s", arn)
	}
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name)})
	var exists *smtypes.ResourceExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate name: %v", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!")})
	var param *smtypes.InvalidParameterException
	if !errors.As(err, &param) && apiCode(err) != "ValidationException" {
		t.Errorf("bad name: %v", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(secretName(t)), SecretString: aws.String(strings.Repeat("x", 65537))})
	if err == nil {
		t.Error("a 65,537-byte secret was accepted")
	}
	bin, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(secretName(t)), SecretBinary: []byte{0, 1, 2, 255}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: bin.ARN})
	if err != nil || !bytes.Equal(got.SecretBinary, []byte{0, 1, 2, 255}) || got.SecretString != nil {
		t.Errorf("binary round trip = %v, %v", got, err)
	}
}

func TestSecretsManagerDescribeSecret(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, arn := createSecret(t, c, "v")
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.ARN) != arn || !slices.Equal(d.VersionIdsToStages[aws.ToString(smToken('1'))], []string{"AWSCURRENT"}) ||
		aws.ToBool(d.RotationEnabled) || d.CreatedDate == nil || d.LastChangedDate == nil {
		t.Errorf("DescribeSecret = %+v", d)
	}
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name + "-nope")})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown secret: %v", err)
	}
	// a partial ARN (without the random suffix) addresses the secret too
	if _, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn[:len(arn)-7])}); err != nil {
		t.Errorf("partial ARN: %v", err)
	}
}

func TestSecretsManagerGetSecretValue(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "one")
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: smToken('2')}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   secretsmanager.GetSecretValueInput
		want string
	}{
		{secretsmanager.GetSecretValueInput{}, "two"},
		{secretsmanager.GetSecretValueInput{VersionStage: aws.String("AWSPREVIOUS")}, "one"},
		{secretsmanager.GetSecretValueInput{VersionId: smToken('1')}, "one"},
		{secretsmanager.GetSecretValueInput{VersionId: smToken('2'), VersionStage: aws.String("AWSCURRENT")}, "two"},
	} {
		tc.in.SecretId = aws.String(name)
		got, err := c.GetSecretValue(ctx, &tc.in)
		if err != nil || aws.ToString(got.SecretString) != tc.want {
			t.Errorf("%+v = %v, %v", tc.in, got, err)
		}
	}
	var nf *smtypes.ResourceNotFoundException
	_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionId: smToken('1'), VersionStage: aws.String("AWSCURRENT")})
	if !errors.As(err, &nf) {
		t.Errorf("mismatched id and stage: %v", err)
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSPENDING")})
	if !errors.As(err, &nf) {
		t.Errorf("unused stage: %v", err)
	}
}

func TestSecretsManagerPutSecretValue(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "one")
	in := &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: smToken('2')}
	first, err := c.PutSecretValue(ctx, in)
	if err != nil || !slices.Equal(first.VersionStages, []string{"AWSCURRENT"}) {
		t.Fatalf("PutSecretValue = %+v, %v", first, err)
	}
	if again, err := c.PutSecretValue(ctx, in); err != nil || aws.ToString(again.VersionId) != aws.ToString(first.VersionId) {
		t.Errorf("same token, same value = %+v, %v", again, err)
	}
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("other"), ClientRequestToken: smToken('2')})
	var exists *smtypes.ResourceExistsException
	if !errors.As(err, &exists) {
		t.Errorf("same token, other value: %v", err)
	}
	d, _ := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if !slices.Equal(d.VersionIdsToStages[aws.ToString(smToken('1'))], []string{"AWSPREVIOUS"}) {
		t.Errorf("old version = %v", d.VersionIdsToStages)
	}
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name)})
	var invalid *smtypes.InvalidRequestException
	var param *smtypes.InvalidParameterException
	if !errors.As(err, &invalid) && !errors.As(err, &param) {
		t.Errorf("no value: %v", err)
	}
}

func TestSecretsManagerUpdateSecret(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "one")
	out, err := c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(name), Description: aws.String("db creds"), SecretString: aws.String("two")})
	if err != nil || out.VersionId == nil {
		t.Fatalf("UpdateSecret = %+v, %v", out, err)
	}
	d, _ := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if aws.ToString(d.Description) != "db creds" || !slices.Equal(d.VersionIdsToStages[aws.ToString(out.VersionId)], []string{"AWSCURRENT"}) {
		t.Errorf("after update = %+v", d)
	}
}

func TestSecretsManagerKMSKey(t *testing.T) {
	requireLocal(t) // relies on creating and disabling a key
	c, k, ctx := smClient(), kms.NewFromConfig(clientConfig("")), ctxT(t)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	name := secretName(t)
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v"), KmsKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	var dec *smtypes.DecryptionFailure
	if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); !errors.As(err, &dec) {
		t.Errorf("GetSecretValue with a disabled key: %v", err)
	}
	var enc *smtypes.EncryptionFailure
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(secretName(t)), SecretString: aws.String("v"), KmsKeyId: key.KeyMetadata.KeyId})
	if !errors.As(err, &enc) {
		t.Errorf("CreateSecret with a disabled key: %v", err)
	}
	_, _ = k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.KeyMetadata.KeyId})
	if got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); err != nil || aws.ToString(got.SecretString) != "v" {
		t.Errorf("after EnableKey = %v, %v", got, err)
	}
}

func TestSecretsManagerUpdateSecretVersionStage(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "one")
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"),
		ClientRequestToken: smToken('2'), VersionStages: []string{"AWSPENDING"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: smToken('2')})
	var param *smtypes.InvalidParameterException
	if !errors.As(err, &param) {
		t.Errorf("moving AWSCURRENT without RemoveFromVersionId: %v", err)
	}
	if _, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: smToken('2'), RemoveFromVersionId: smToken('1')}); err != nil {
		t.Fatal(err)
	}
	d, _ := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if !slices.Contains(d.VersionIdsToStages[aws.ToString(smToken('2'))], "AWSCURRENT") || !slices.Equal(d.VersionIdsToStages[aws.ToString(smToken('1'))], []string{"AWSPREVIOUS"}) {
		t.Errorf("stages = %v", d.VersionIdsToStages)
	}
}

func TestSecretsManagerListSecretVersionIds(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "one")
	for i := range 3 {
		if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(string(rune('a' + i)))}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name)})
	if err != nil || len(l.Versions) != 2 {
		t.Errorf("labelled versions = %+v, %v", l, err)
	}
	l, err = c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name), IncludeDeprecated: aws.Bool(true)})
	if err != nil || len(l.Versions) != 4 {
		t.Errorf("all versions = %d, %v", len(l.Versions), err)
	}
}

func TestSecretsManagerListSecrets(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "v")
	var found []string
	p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(1),
		Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{name}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.SecretList {
			found = append(found, aws.ToString(s.Name))
		}
	}
	if !slices.Equal(found, []string{name}) {
		t.Errorf("ListSecrets(name=%s) = %v", name, found)
	}
}

func TestSecretsManagerGetRandomPassword(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	p, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(40), ExcludePunctuation: aws.Bool(true)})
	if err != nil || len(aws.ToString(p.RandomPassword)) != 40 || strings.ContainsAny(aws.ToString(p.RandomPassword), "!#$%&*+-./:;<=>?@^_~") {
		t.Errorf("GetRandomPassword = %v, %v", p, err)
	}
	if _, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4097)}); err == nil {
		t.Error("length 4097 accepted")
	}
}

func TestSecretsManagerDeleteAndRestoreSecret(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "v")
	var param *smtypes.InvalidParameterException
	_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if !errors.As(err, &param) {
		t.Errorf("both recovery options: %v", err)
	}
	_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(3)})
	if !errors.As(err, &param) {
		t.Errorf("3-day window: %v", err)
	}
	del, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7)})
	if err != nil || del.DeletionDate == nil || time.Until(*del.DeletionDate) < 6*24*time.Hour {
		t.Fatalf("DeleteSecret = %+v, %v", del, err)
	}
	var invalid *smtypes.InvalidRequestException
	if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); !errors.As(err, &invalid) {
		t.Errorf("GetSecretValue of a deleted secret: %v", err)
	}
	if _, err := c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); err != nil {
		t.Errorf("after RestoreSecret: %v", err)
	}
}

func TestSecretsManagerResourcePolicy(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "v")
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	_, err := c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String(public), BlockPublicPolicy: aws.Bool(true)})
	var pub *smtypes.PublicPolicyException
	if !errors.As(err, &pub) {
		t.Errorf("public policy with BlockPublicPolicy: %v", err)
	}
	_, err = c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String("{")})
	var bad *smtypes.MalformedPolicyDocumentException
	if !errors.As(err, &bad) {
		t.Errorf("malformed policy: %v", err)
	}
	own := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	if _, err := c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String(own), BlockPublicPolicy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(name)})
	if err != nil || aws.ToString(got.ResourcePolicy) != own {
		t.Errorf("GetResourcePolicy = %v, %v", got, err)
	}
	if _, err := c.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String(name)}); err != nil {
		t.Error(err)
	}
}

func TestSecretsManagerTagResource(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "v")
	if _, err := c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(name), Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String(name), TagKeys: []string{"nothing"}}); err != nil {
		t.Fatal(err)
	}
	d, _ := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if len(d.Tags) != 1 || aws.ToString(d.Tags[0].Value) != "payments" {
		t.Errorf("tags = %+v", d.Tags)
	}
}

// rotationFunction is a Secrets Manager rotation function that follows AWS's
// template: each step calls Secrets Manager back through the SDK.
type rotationFunction struct {
	c     *secretsmanager.Client
	steps []string
	fail  string
}

func (f *rotationFunction) Invoke(ctx context.Context, _ string, payload []byte) ([]byte, error) {
	var ev events.SecretsManagerSecretRotationEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.steps = append(f.steps, ev.Step)
	if ev.Step == f.fail {
		return nil, errors.New("rotation step failed")
	}
	d, err := f.c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretID)})
	if err != nil {
		return nil, err
	}
	if !slices.Contains(d.VersionIdsToStages[ev.ClientRequestToken], "AWSPENDING") {
		return nil, errors.New("token is not AWSPENDING")
	}
	switch ev.Step {
	case "createSecret":
		_, err = f.c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(ev.SecretID),
			ClientRequestToken: aws.String(ev.ClientRequestToken), SecretString: aws.String("rotated"), VersionStages: []string{"AWSPENDING"}})
	case "finishSecret":
		var current string
		for id, stages := range d.VersionIdsToStages {
			if slices.Contains(stages, "AWSCURRENT") {
				current = id
			}
		}
		_, err = f.c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(ev.SecretID),
			VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(ev.ClientRequestToken), RemoveFromVersionId: aws.String(current)})
	}
	return nil, err
}

// TestSecretsManagerRotateSecret runs on its own endpoint, whose function
// registry holds a rotation function that calls back over HTTP.
func TestSecretsManagerRotateSecret(t *testing.T) {
	requireLocal(t)
	fn := &rotationFunction{}
	srv := endpointtest.StartWith(t, endpoint.Options{Invoker: fn})
	c := secretsmanager.NewFromConfig(endpointtest.Config(srv, ""))
	fn.c = c
	ctx := ctxT(t)
	name := secretName(t)
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("old")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(name),
		RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:111122223333:function:rotator"),
		RotationRules:     &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fn.steps, []string{"createSecret", "setSecret", "testSecret", "finishSecret"}) {
		t.Errorf("steps = %v", fn.steps)
	}
	got, _ := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if aws.ToString(got.SecretString) != "rotated" || aws.ToString(got.VersionId) != aws.ToString(out.VersionId) {
		t.Errorf("AWSCURRENT after rotation = %+v", got)
	}
	d, _ := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if !aws.ToBool(d.RotationEnabled) || d.LastRotatedDate == nil || d.NextRotationDate == nil || aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != 30 {
		t.Errorf("DescribeSecret after rotation = %+v", d)
	}
	if names := trailEventNames(t, srv.URL, "AWS Service Event via CloudTrail"); !slices.Equal(names, []string{"RotationStarted", "RotationSucceeded"}) {
		t.Errorf("service events = %v", names)
	}

	// a failed rotation leaves AWSPENDING, and the next RotateSecret is refused
	fn.steps, fn.fail = nil, "testSecret"
	if _, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(name)})
	var invalid *smtypes.InvalidRequestException
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "A previous rotation isn't complete") {
		t.Errorf("second rotation: %v", err)
	}
	if names := trailEventNames(t, srv.URL, "AWS Service Event via CloudTrail"); !slices.Contains(names, "RotationFailed") {
		t.Errorf("service events = %v", names)
	}
	cancel, err := c.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(name)})
	if err != nil || cancel.VersionId == nil {
		t.Errorf("CancelRotateSecret = %+v, %v", cancel, err)
	}
}

// trailEventNames lists the endpoint's CloudTrail events of one detail-type.
func trailEventNames(t *testing.T, url, detailType string) []string {
	t.Helper()
	resp, err := http.Get(url + "/_keyward/cloudtrail/events?source=aws.secretsmanager")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var evs []struct {
		DetailType string `json:"detail-type"`
		Detail     struct {
			EventName         string         `json:"eventName"`
			RequestParameters map[string]any `json:"requestParameters"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(body, &evs); err != nil {
		t.Fatalf("cloudtrail events: %v: %s", err, body)
	}
	var names []string
	for _, e := range evs {
		if e.DetailType == detailType {
			names = append(names, e.Detail.EventName)
		}
	}
	return names
}

// TestSecretsManagerCloudTrailHidesValues checks the tap's records of Secrets
// Manager calls never carry a secret value.
func TestSecretsManagerCloudTrailHidesValues(t *testing.T) {
	srv := requireLocal(t)
	c, ctx := smClient(), ctxT(t)
	name := secretName(t)
	marker := "hunter2-" + name
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(marker)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/_keyward/cloudtrail/events?source=aws.secretsmanager")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), name) {
		t.Fatal("no CloudTrail record of the calls")
	}
	if strings.Contains(string(body), marker) {
		t.Error("a CloudTrail record carries the secret value")
	}
}

// TestSecretsManagerStateSurvivesRestart: with a data directory, secrets (and
// the KMS keys that encrypt them) survive an endpoint restart.
func TestSecretsManagerStateSurvivesRestart(t *testing.T) {
	requireLocal(t)
	dir := t.TempDir()
	srv := endpointtest.StartWith(t, endpoint.Options{DataDir: dir})
	c, ctx := secretsmanager.NewFromConfig(endpointtest.Config(srv, "")), ctxT(t)
	name := secretName(t)
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("one")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = endpointtest.StartWith(t, endpoint.Options{DataDir: dir})
	c = secretsmanager.NewFromConfig(endpointtest.Config(srv, ""))
	for stage, want := range map[string]string{"AWSCURRENT": "two", "AWSPREVIOUS": "one"} {
		got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String(stage)})
		if err != nil || aws.ToString(got.SecretString) != want {
			t.Errorf("%s after restart = %v, %v", stage, got, err)
		}
	}
}

// TestSecretsManagerHostileRequests sends raw bodies the SDK would never build:
// each gets the AWS error document and nothing is created.
func TestSecretsManagerHostileRequests(t *testing.T) {
	srv := requireLocal(t)
	name := secretName(t)
	cases := []struct{ body, code string }{
		{`{"Name":"` + name + `","SecretBinary":"!!not-base64!!"}`, "SerializationException"},
		{`{"Name":42}`, "SerializationException"},
		{`{"Name":"` + name + `",`, "SerializationException"},
		{`{"Name":"clé-` + name + `","SecretString":"v"}`, "InvalidParameterException"},
		{`{"Name":"` + name + `","SecretString":"` + strings.Repeat("x", 65537) + `"}`, "ValidationException"},
		{`{"Name":"` + name + `","SecretString":"a","SecretBinary":"YQ=="}`, "InvalidParameterException"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Type string `json:"__type"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.HasSuffix(doc.Type, tc.code) {
			t.Errorf("%.60s… = %d %q, want 400 %s", tc.body, resp.StatusCode, doc.Type, tc.code)
		}
	}
	_, err := smClient().DescribeSecret(ctxT(t), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("a refused request created the secret: %v", err)
	}
}

func TestSecretsManagerBatchGetSecretValue(t *testing.T) {
	c, ctx := smClient(), ctxT(t)
	name, _ := createSecret(t, c, "batched")
	out, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{name, name + "-missing"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SecretValues) != 1 || aws.ToString(out.SecretValues[0].SecretString) != "batched" {
		t.Errorf("SecretValues = %+v", out.SecretValues)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].ErrorCode) != "ResourceNotFoundException" {
		t.Errorf("Errors = %+v", out.Errors)
	}
	var param *smtypes.InvalidParameterException
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{})
	if !errors.As(err, &param) {
		t.Errorf("neither list nor filters: %v", err)
	}
}
