package endpoint_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/keyward/keyward/localstack/endpoint"
)

// Start an in-memory endpoint on a free port and call it with the SDK as the
// local principal "alice" (chosen by the access key).
func ExampleStart() {
	ctx := context.Background()
	srv, err := endpoint.Start(ctx, endpoint.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL), // or AWS_ENDPOINT_URL for every client
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDALICE", "any", ""),
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(id.Arn))

	k, _ := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	fmt.Println(k.KeyMetadata.KeyState)
	// Output:
	// arn:aws:iam::111122223333:user/alice
	// Enabled
}
