package conformance

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/keyward/keyward/localstack/endpoint"
)

// Shared setup for every file of the suite.
var (
	// endpointURL is where the SDK clients point.
	endpointURL string
	// local is the in-process endpoint, nil when AWS_ENDPOINT_URL names another one.
	local *endpoint.Server
	// dynamoDBErr says why the in-process endpoint runs without DynamoDB Local.
	dynamoDBErr error
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" {
		endpointURL = u
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	srv, err := endpoint.Start(ctx, endpoint.Options{Addr: "127.0.0.1:0", DynamoDB: true, WaitForDynamoDB: true})
	cancel()
	if err != nil {
		// Without Java or the jar (or on a starved machine) the other services are
		// still worth testing; the DynamoDB tests then fail with this reason.
		dynamoDBErr = err
		srv, err = endpoint.Start(context.Background(), endpoint.Options{Addr: "127.0.0.1:0"})
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: cannot start the local endpoint: %v\n", err)
		return 1
	}
	defer srv.Close()
	local, endpointURL = srv, srv.URL
	return m.Run()
}

// clientConfig is the aws.Config every test builds its clients from, acting as
// the principal of accessKeyID ("" = the default local user).
func clientConfig(accessKeyID string) aws.Config {
	if accessKeyID == "" {
		accessKeyID = endpoint.DefaultAccessKeyID
	}
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpointURL),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, "local-secret", ""),
		// One attempt: a conformance failure must show the first error, not a retry's.
		RetryMaxAttempts: 1,
	}
}

// requireLocal skips tests of keyward-only behaviour when the suite runs
// against another endpoint.
func requireLocal(t *testing.T) *endpoint.Server {
	t.Helper()
	if local == nil {
		t.Skip("keyward-only behaviour: AWS_ENDPOINT_URL names another endpoint")
	}
	return local
}

// requireDynamoDB fails the test when the endpoint has no DynamoDB behind it.
func requireDynamoDB(t *testing.T) {
	t.Helper()
	if dynamoDBErr != nil {
		t.Fatalf("DynamoDB Local is not running behind the endpoint (run `make tools`): %v", dynamoDBErr)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
