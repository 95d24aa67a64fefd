package conformance

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestSTSGetCallerIdentity(t *testing.T) {
	out, err := sts.NewFromConfig(clientConfig("")).GetCallerIdentity(ctxT(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) == "" || aws.ToString(out.Arn) == "" || aws.ToString(out.UserId) == "" {
		t.Fatalf("GetCallerIdentity = %+v", out)
	}
}

// The access key chooses the principal (keyward's local map).
func TestSTSCallerFollowsAccessKey(t *testing.T) {
	requireLocal(t)
	tests := []struct{ key, arn string }{
		{"AKIDALICE", "arn:aws:iam::111122223333:user/alice"},
		{"AKIDBOB", "arn:aws:iam::111122223333:user/bob"},
		{"ASIAROTATION", "arn:aws:sts::111122223333:assumed-role/keyward-rotation/keyward-rotation"},
		{"AKIDROOT", "arn:aws:iam::111122223333:root"},
	}
	for _, tc := range tests {
		out, err := sts.NewFromConfig(clientConfig(tc.key)).GetCallerIdentity(ctxT(t), &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(out.Arn) != tc.arn || aws.ToString(out.Account) != "111122223333" {
			t.Errorf("%s: GetCallerIdentity = %+v, %v; want %s", tc.key, out, err, tc.arn)
		}
	}
}
