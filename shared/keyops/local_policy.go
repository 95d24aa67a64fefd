package keyops

import "github.com/keyward/keyward/shared/table"

// LocalDeveloper is the caller `make local` assumes when a request has no
// PrincipalHeader: the local endpoint's default user.
const LocalDeveloper = "arn:aws:iam::111122223333:user/keyward-local"

// LocalPolicies is the policy seed of `make local`: the local developer may do
// everything on every key and secret. Deployed stacks seed from configuration
// (KEYOPS_POLICY_SEED) and deny by default.
func LocalPolicies() map[string][]table.AuthzStatement {
	return map[string][]table.AuthzStatement{
		LocalDeveloper: {{Actions: []string{"*"}, Keys: []string{"*"}, SecretPrefixes: []string{"*"}}},
	}
}
