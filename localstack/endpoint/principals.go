package endpoint

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Principals maps SigV4 access key ids to principal ARNs, so tests can act as
// different callers by choosing an access key. The secret key is not checked.
type Principals map[string]string

// DefaultAccessKeyID is the access key whose principal also answers for any
// access key the map does not know (LocalStack accepts any key too).
const DefaultAccessKeyID = "AKIDLOCAL"

// DefaultPrincipals returns the built-in map for account accountID: a local
// developer user, two named users, the account root, and two assumed-role
// sessions like those Lambda functions run as.
func DefaultPrincipals(accountID string) Principals {
	a := accountID
	return Principals{
		DefaultAccessKeyID: "arn:aws:iam::" + a + ":user/keyward-local",
		"test":             "arn:aws:iam::" + a + ":user/keyward-local",
		"AKIDALICE":        "arn:aws:iam::" + a + ":user/alice",
		"AKIDBOB":          "arn:aws:iam::" + a + ":user/bob",
		"AKIDROOT":         "arn:aws:iam::" + a + ":root",
		"ASIAROTATION":     "arn:aws:sts::" + a + ":assumed-role/keyward-rotation/keyward-rotation",
		"ASIAAUDIT":        "arn:aws:sts::" + a + ":assumed-role/keyward-audit/keyward-audit",
	}
}

// LoadPrincipals reads a JSON object {"ACCESSKEY": "principal ARN", ...} and
// merges it over the defaults.
func LoadPrincipals(path, accountID string) (Principals, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("endpoint: principals file: %w", err)
	}
	var extra map[string]string
	if err := json.Unmarshal(b, &extra); err != nil {
		return nil, fmt.Errorf("endpoint: principals file %s: %w", path, err)
	}
	p := DefaultPrincipals(accountID)
	for k, v := range extra {
		if _, err := parsePrincipalARN(v); err != nil {
			return nil, fmt.Errorf("endpoint: principals file %s: key %s: %w", path, k, err)
		}
		p[k] = v
	}
	return p, nil
}

// Caller resolves an access key to the caller it stands for.
func (p Principals) Caller(accessKeyID string) awsapi.Caller {
	arn, ok := p[accessKeyID]
	if !ok {
		arn = p[DefaultAccessKeyID]
	}
	c, err := parsePrincipalARN(arn)
	if err != nil { // only reachable with a hand-built map holding a bad ARN
		c = awsapi.Caller{ARN: arn, Type: "IAMUser"}
	}
	c.AccessKeyID = accessKeyID
	return c
}

// parsePrincipalARN derives type, account and a stable principal id from an ARN
// of an IAM user, the account root, or an STS assumed-role session.
func parsePrincipalARN(arn string) (awsapi.Caller, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return awsapi.Caller{}, fmt.Errorf("not an ARN: %q", arn)
	}
	c := awsapi.Caller{ARN: arn, AccountID: parts[4]}
	res := parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		c.Type, c.PrincipalID = "Root", c.AccountID
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		c.Type, c.PrincipalID = "IAMUser", "AIDA"+stableID(arn)
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		f := strings.Split(res, "/")
		if len(f) < 3 {
			return awsapi.Caller{}, fmt.Errorf("assumed-role ARN without session: %q", arn)
		}
		c.Type = "AssumedRole"
		c.PrincipalID = "AROA" + stableID("arn:aws:iam::"+c.AccountID+":role/"+f[1]) + ":" + f[len(f)-1]
	default:
		return awsapi.Caller{}, fmt.Errorf("unsupported principal ARN %q (want user, root or assumed-role)", arn)
	}
	return c, nil
}

// stableID is 17 upper-case characters derived from s, shaped like the unique
// part of an IAM id.
func stableID(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(s))
	out := make([]byte, 17)
	for i := range out {
		out[i] = alphabet[sum[i]%32]
	}
	return string(out)
}
