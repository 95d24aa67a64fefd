// Package endpointtest starts keyward's local endpoint for a test: in memory, on
// a free loopback port, with DynamoDB Local, stopped by t.Cleanup.
package endpointtest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/localstack/endpoint"
)

// Start runs an endpoint with DynamoDB for the test. Tests that need DynamoDB
// Local fail (never skip) when it is not installed: run `make tools`. In a
// package whose TestMain calls Main, every Start shares one DynamoDB Local.
func Start(t testing.TB) *endpoint.Server {
	t.Helper()
	return StartWith(t, endpoint.Options{DynamoDB: true})
}

// StartWithoutDynamoDB runs an endpoint without DynamoDB Local (no Java needed).
func StartWithoutDynamoDB(t testing.TB) *endpoint.Server {
	t.Helper()
	return StartWith(t, endpoint.Options{})
}

// StartWith runs an endpoint with the given options; Addr defaults to a free
// loopback port.
func StartWith(t testing.TB, o endpoint.Options) *endpoint.Server {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	// A test that asked for DynamoDB fails at Start, with the reason, when
	// DynamoDB Local cannot run, rather than on its first DynamoDB call.
	o.WaitForDynamoDB = true
	if o.DynamoDB && o.DynamoDBURL == "" {
		if url := sharedDynamoDB(); url != "" {
			o.DynamoDB, o.DynamoDBURL = false, url
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	srv, err := endpoint.Start(ctx, o)
	if err != nil {
		t.Fatalf("endpointtest: start local endpoint: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("endpointtest: close: %v", err)
		}
	})
	return srv
}

// Config is an aws.Config for SDK clients that talk to srv as the principal of
// accessKeyID (see endpoint.DefaultPrincipals; "" means the default user).
func Config(srv *endpoint.Server, accessKeyID string) aws.Config {
	if accessKeyID == "" {
		accessKeyID = endpoint.DefaultAccessKeyID
	}
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, "local-secret", ""),
	}
}

var shared struct {
	mu  sync.Mutex
	on  bool
	url string
	p   *ddblocal.Process
	err error
}

// Main runs the package's tests with one DynamoDB Local shared by every Start,
// stopped after the last test: func TestMain(m *testing.M) { endpointtest.Main(m) }.
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.on = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	shared.p.Stop()
	shared.mu.Unlock()
	os.Exit(code)
}

// sharedDynamoDB starts the shared DynamoDB Local on first use under Main.
func sharedDynamoDB() string {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.on {
		return ""
	}
	if shared.p == nil && shared.err == nil {
		shared.p, shared.err = ddblocal.Start(context.Background(), ddblocal.Options{})
		if shared.err == nil {
			shared.url = shared.p.URL
		}
	}
	return shared.url // "" after a failure: Start then reports the error itself
}
