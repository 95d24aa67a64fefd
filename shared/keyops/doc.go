// Package keyops is keyward's key-operations API: envelope encryption as a service
// (encrypt, decrypt, rewrap, data keys), the key lifecycle with guardrails (create
// with a least-privilege policy, rotate, disable, enable, schedule and cancel
// deletion, grants with an expiry), cached secrets and the audit trail of a resource.
//
// The API is served as an API Gateway HTTP API (payload format 2.0, IAM
// authorization): [Handler.Handle] takes an events.APIGatewayV2HTTPRequest, the
// caller is requestContext.authorizer.iam.userArn, every call is checked against the
// authorization policy in the table (deny by default), and errors are
// {"error":{"code","message"}} with a status chosen in one place ([statusOf]).
// [Handler.ServeHTTP] serves the same handler over plain net/http for `make local`.
//
// One file per route family: path_encrypt.go (encrypt, decrypt, rewrap),
// path_datakey.go, path_keys.go (create, list, read), path_lifecycle.go (rotate,
// disable, enable, schedule and cancel deletion), path_grants.go, path_secrets.go,
// path_audit.go and path_openapi.go.
package keyops
