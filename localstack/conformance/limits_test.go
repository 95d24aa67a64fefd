package conformance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

// AWS limits at their edges: a 65,536-byte secret is stored (Secrets Manager
// encrypts it with a data key, not KMS Encrypt's 4 KiB), one byte more is a
// 4xx error that writes nothing.
func TestSecretSizeLimit(t *testing.T) {
	c := secretsmanager.NewFromConfig(clientConfig(""))
	ctx := ctxT(t)
	name := "conformance/limits-" + time.Now().Format("150405.000000")
	max := strings.Repeat("s", 65536)
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(max)}); err != nil {
		t.Fatalf("65,536-byte secret: %v", err)
	}
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil || aws.ToString(got.SecretString) != max {
		t.Fatalf("GetSecretValue of the 65,536-byte secret: %v", err)
	}
	over := name + "-over"
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(over), SecretString: aws.String(max + "s")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorFault() == smithy.FaultServer {
		t.Fatalf("65,537-byte secret: want a client error, got %v", err)
	}
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(over)})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("a refused secret was partly written: DescribeSecret = %v", err)
	}
}
