package conformance

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func TestSecretsManagerRoutedThroughEndpoint(t *testing.T) {
	c := secretsmanager.NewFromConfig(clientConfig(""))
	ctx := ctxT(t)
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("conformance/smoke"),
		SecretString: aws.String("s3cr3t")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("conformance/smoke")})
	if err != nil || aws.ToString(got.SecretString) != "s3cr3t" {
		t.Fatalf("GetSecretValue = %v, %v", got, err)
	}
}
