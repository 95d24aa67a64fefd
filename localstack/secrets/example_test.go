package secrets

import (
	"context"
	"fmt"

	"github.com/keyward/keyward/localstack/awsapi"
)

// A Service answers Secrets Manager calls as the endpoint routes them to it.
func ExampleService_Serve() {
	svc, _ := New(Options{Keys: newFakeKeys()}) // the endpoint passes its KMS
	ctx := context.Background()
	_, _ = svc.Serve(ctx, &awsapi.Call{Operation: "CreateSecret", Body: []byte(`{"Name":"app/db","SecretString":"s3cret"}`)})
	_, err := svc.Serve(ctx, &awsapi.Call{Operation: "CreateSecret", Body: []byte(`{"Name":"app/db"}`)})
	fmt.Println(err)
	out, _ := svc.Serve(ctx, &awsapi.Call{Operation: "GetSecretValue", Body: []byte(`{"SecretId":"app/db"}`)})
	v := out.(getSecretValueOutput)
	fmt.Println(*v.SecretString, v.VersionStages)
	// Output:
	// ResourceExistsException: The operation failed because the secret app/db already exists.
	// s3cret [AWSCURRENT]
}
