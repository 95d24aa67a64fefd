package keyops

import (
	"regexp"
)

// assumedRoleRE matches an STS assumed-role session ARN.
var assumedRoleRE = regexp.MustCompile(`^arn:(aws[a-z-]*):sts::([0-9]{12}):assumed-role/([\w+=,.@-]+)/[\w+=,.@-]+$`)

// PolicyPrincipal is the ARN the authorization policy is keyed by: API Gateway's IAM
// authorizer reports a role caller as its session
// (arn:aws:sts::123456789012:assumed-role/app/i-0abc), whose session name changes;
// the policy names the role (arn:aws:iam::123456789012:role/app). Other ARNs are
// used as they are.
func PolicyPrincipal(userARN string) string {
	if m := assumedRoleRE.FindStringSubmatch(userARN); m != nil {
		return "arn:" + m[1] + ":iam::" + m[2] + ":role/" + m[3]
	}
	return userARN
}
