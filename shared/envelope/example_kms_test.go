package envelope_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/shared/envelope"
)

// Encrypt with an AWS KMS keyring, here against keyward's local endpoint (in production, a
// kms.Client from the Lambda's default config).
func ExampleNewKMSKeyring() {
	ctx := context.Background()
	srv, err := endpoint.Start(ctx, endpoint.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client := kms.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(endpoint.DefaultAccessKeyID, "local-secret", ""),
	})
	key, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/orders"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		log.Fatal(err)
	}

	// Encrypt through the alias; decrypt with the key ARN the message names.
	enc, _ := envelope.NewKMSKeyring(envelope.KMSKeyringConfig{Client: client, Generator: "alias/orders"})
	c, _ := envelope.NewClient(envelope.Config{Keyring: enc})
	msg, err := c.Encrypt(ctx, []byte("order 66"), map[string]string{"table": "orders"})
	if err != nil {
		log.Fatal(err)
	}
	dec, _ := envelope.NewKMSKeyring(envelope.KMSKeyringConfig{Client: client, KeyIDs: []string{aws.ToString(key.KeyMetadata.Arn)}})
	d, _ := envelope.NewClient(envelope.Config{Keyring: dec})
	pt, _, err := d.Decrypt(ctx, msg, map[string]string{"table": "orders"})
	fmt.Println(string(pt), err)
	// Output: order 66 <nil>
}
