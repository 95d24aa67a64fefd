package rules_test

import (
	"fmt"

	"github.com/keyward/keyward/shared/rules"
)

func ExampleAnalyzePolicy() {
	doc := `{"Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*"}]}`
	x, _ := rules.AnalyzePolicy(doc, "111122223333")
	fmt.Println(x.Public, x.Accounts)
	// Output: false [444455556666]
}

// The seed default: more than 10,000 Decrypt calls on one key in the window.
func ExampleDecryptSpike() {
	r := rules.DecryptSpike{Config: rules.DefaultConfig("111122223333").DecryptSpike}
	s := &rules.Snapshot{Usage: []rules.Usage{{Resource: "key/1", Operation: "Decrypt", Count: 10_001}}}
	for _, f := range r.Evaluate(s) {
		fmt.Println(f.Rule, f.Resource, f.State, f.Severity)
	}
	// Output: decrypt-spike key/1 ALARM high
}
