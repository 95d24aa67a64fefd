package rules

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// Exposure is what a policy document grants beyond the owning account.
type Exposure struct {
	Public   bool     // Principal "*" without an account-limiting condition
	Accounts []string // other accounts named as principals or in account conditions
	Services []string // AWS service principals
}

// accountConditionKeys limit a "*" principal to the listed accounts.
var accountConditionKeys = []string{"kms:calleraccount", "aws:principalaccount", "aws:sourceaccount"}

// orgConditionKeys limit a "*" principal to an organisation (not public).
var orgConditionKeys = []string{"aws:principalorgid", "aws:principalorgpaths", "aws:sourcevpce", "aws:sourcevpc"}

var accountInARN = regexp.MustCompile(`^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):`)

// AnalyzePolicy reports the exposure of a key policy or secret resource policy:
// Allow statements whose principal is "*" or another account than own.
func AnalyzePolicy(doc, own string) (Exposure, error) {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return Exposure{}, err
	}
	var stmts []statement
	if len(p.Statement) > 0 && p.Statement[0] == '{' {
		var one statement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return Exposure{}, err
		}
		stmts = []statement{one}
	} else if len(p.Statement) > 0 {
		if err := json.Unmarshal(p.Statement, &stmts); err != nil {
			return Exposure{}, err
		}
	}
	var x Exposure
	for _, st := range stmts {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		for _, pr := range st.principals() {
			switch {
			case pr == "*":
				accts, limited := st.conditionAccounts()
				if !limited {
					x.Public = true
				}
				for _, a := range accts {
					x.addAccount(a, own)
				}
			case strings.HasSuffix(pr, ".amazonaws.com"):
				if !slices.Contains(x.Services, pr) {
					x.Services = append(x.Services, pr)
				}
			default:
				x.addAccount(AccountOf(pr), own)
			}
		}
	}
	slices.Sort(x.Accounts)
	return x, nil
}

func (x *Exposure) addAccount(a, own string) {
	if a == "" || a == own || slices.Contains(x.Accounts, a) {
		return
	}
	x.Accounts = append(x.Accounts, a)
}

// AccountOf returns the account of an IAM/STS ARN or a bare 12-digit id.
func AccountOf(principal string) string {
	if len(principal) == 12 && strings.Trim(principal, "0123456789") == "" {
		return principal
	}
	if m := accountInARN.FindStringSubmatch(principal); m != nil {
		return m[1]
	}
	return ""
}

type statement struct {
	Effect    string
	Principal json.RawMessage
	Condition map[string]map[string]json.RawMessage
}

// principals flattens "*", {"AWS": "..."|[...]}, {"Service": ...}.
func (s statement) principals() []string {
	if len(s.Principal) == 0 {
		return nil
	}
	var str string
	if json.Unmarshal(s.Principal, &str) == nil {
		return []string{str}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(s.Principal, &m) != nil {
		return nil
	}
	var out []string
	for _, v := range m {
		out = append(out, stringOrList(v)...)
	}
	return out
}

// conditionAccounts returns the accounts a "*" principal is limited to, and
// whether a condition limits it at all.
func (s statement) conditionAccounts() ([]string, bool) {
	var accts []string
	limited := false
	for _, kv := range s.Condition {
		for k, v := range kv {
			lk := strings.ToLower(k)
			switch {
			case slices.Contains(accountConditionKeys, lk):
				limited = true
				accts = append(accts, stringOrList(v)...)
			case slices.Contains(orgConditionKeys, lk):
				limited = true
			}
		}
	}
	return accts, limited
}

func stringOrList(v json.RawMessage) []string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return []string{s}
	}
	var l []string
	_ = json.Unmarshal(v, &l)
	return l
}
