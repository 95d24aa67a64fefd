package keyops_test

import (
	"fmt"
	"net/http"

	"github.com/keyward/keyward/shared/keyops"
	"github.com/keyward/keyward/shared/table"
)

// Decide evaluates a principal's policy: deny by default, action families with
// "key:*", alias patterns with a trailing "*", secret names by prefix.
func ExampleDecide() {
	p := table.PolicyItem{Statements: []table.AuthzStatement{
		{Actions: []string{"encrypt", "decrypt"}, Keys: []string{"app-*"}},
		{Actions: []string{"secret:read"}, SecretPrefixes: []string{"app/"}},
	}}
	fmt.Println(keyops.Decide(p, keyops.ActEncrypt, "key", "app-orders"))
	fmt.Println(keyops.Decide(p, keyops.ActKeyDelete, "key", "app-orders"))
	fmt.Println(keyops.Decide(p, keyops.ActSecretRead, "secret", "app/db"))
	fmt.Println(keyops.Decide(p, keyops.ActSecretRead, "secret", "prod/db"))
	// Output:
	// true
	// false
	// true
	// false
}

// PolicyPrincipal maps the session ARN API Gateway reports to the role ARN that
// policies name.
func ExamplePolicyPrincipal() {
	fmt.Println(keyops.PolicyPrincipal("arn:aws:sts::111122223333:assumed-role/app/i-0abc"))
	// Output: arn:aws:iam::111122223333:role/app
}

// KeyPolicy builds the least-privilege key policy of a new key.
func ExampleKeyPolicy() {
	doc, err := keyops.KeyPolicy("aws", "111122223333",
		[]string{"arn:aws:iam::111122223333:role/admin"}, []string{"arn:aws:iam::111122223333:role/app"}, []string{"tenant"})
	if err != nil {
		panic(err)
	}
	for _, st := range doc.Statement {
		fmt.Println(st.Sid, st.Principal["AWS"])
	}
	// Output:
	// EnableRootAccountPermissions [arn:aws:iam::111122223333:root]
	// AllowKeyAdministration [arn:aws:iam::111122223333:role/admin]
	// AllowCryptographicUse [arn:aws:iam::111122223333:role/app]
	// AllowDescribeKey [arn:aws:iam::111122223333:role/app]
	// AllowGrantsForAWSResources [arn:aws:iam::111122223333:role/app]
}

// HTTPHandler serves the Lambda handler over net/http, as `make local` does on
// 127.0.0.1:8080 (h from keyops.NewFromEnv with an AWS config pointed at the local
// endpoint, policies from keyops.LocalPolicies()).
func ExampleHTTPHandler() {
	var h *keyops.Handler // keyops.NewFromEnv(ctx, cfg, os.Getenv, logger)
	srv := &http.Server{
		Addr:    "127.0.0.1:8080",
		Handler: keyops.HTTPHandler{API: h, DefaultPrincipal: keyops.LocalDeveloper},
	}
	_ = srv // srv.ListenAndServe()
}
