package secrets

import "testing"

func TestResourcePolicy(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s"})
	if got := f.must(t, "GetResourcePolicy", map[string]any{"SecretId": "s"}); got["ResourcePolicy"] != nil {
		t.Errorf("fresh secret has a policy: %v", got)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	f.must(t, "PutResourcePolicy", map[string]any{"SecretId": "s", "ResourcePolicy": pol, "BlockPublicPolicy": true})
	if got := f.must(t, "GetResourcePolicy", map[string]any{"SecretId": "s"}); got["ResourcePolicy"] != pol {
		t.Errorf("policy = %v", got["ResourcePolicy"])
	}
	f.must(t, "DeleteResourcePolicy", map[string]any{"SecretId": "s"})
	if got := f.must(t, "GetResourcePolicy", map[string]any{"SecretId": "s"}); got["ResourcePolicy"] != nil {
		t.Errorf("policy after delete = %v", got["ResourcePolicy"])
	}
}

func TestPutResourcePolicyErrors(t *testing.T) {
	public := `{"Statement":{"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*"}}`
	publicAWS := `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]},"Action":"*","Resource":"*"}]}`
	conditioned := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}]}`
	cases := []struct {
		name, policy string
		block        bool
		code         string
	}{
		{"not json", "{", false, "MalformedPolicyDocumentException"},
		{"no statement", `{"Version":"2012-10-17"}`, false, "MalformedPolicyDocumentException"},
		{"public blocked", public, true, "PublicPolicyException"},
		{"public AWS list blocked", publicAWS, true, "PublicPolicyException"},
		{"public allowed without block", public, false, ""},
		{"condition is not public", conditioned, true, ""},
		{"too long", `{"Statement":[]}` + string(make([]byte, maxPolicyLen)), false, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.must(t, "CreateSecret", map[string]any{"Name": "s"})
			_, err := f.call(t, "PutResourcePolicy", map[string]any{"SecretId": "s", "ResourcePolicy": tc.policy, "BlockPublicPolicy": tc.block})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tc.code)
			if f.svc.byName["s"].Policy != "" {
				t.Error("a refused policy was stored")
			}
		})
	}
}
