package rotationtest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
)

// EndpointBackend runs keyward's local endpoint (in memory, no DynamoDB) with inv
// as its function registry, and returns the real SDK client pointed at it: the
// rotation function then talks HTTP to the same Secrets Manager that drives it.
func EndpointBackend(t *testing.T, inv awsapi.Invoker) Client {
	srv := endpointtest.StartWith(t, endpoint.Options{Invoker: inv})
	return secretsmanager.NewFromConfig(endpointtest.Config(srv, ""))
}
