package sts

import (
	"context"
	"encoding/xml"
	"errors"
	"net/url"
	"testing"

	"github.com/keyward/keyward/localstack/awsapi"
)

func TestServeQuery(t *testing.T) {
	caller := awsapi.Caller{ARN: "arn:aws:iam::111122223333:user/alice", AccountID: "111122223333", PrincipalID: "AIDAX"}
	out, err := New().ServeQuery(context.Background(), &awsapi.Call{Operation: "GetCallerIdentity", Caller: caller}, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := xml.Marshal(out)
	if want := `<callerIdentity><Arn>arn:aws:iam::111122223333:user/alice</Arn><UserId>AIDAX</UserId><Account>111122223333</Account></callerIdentity>`; string(b) != want {
		t.Fatalf("got %s", b)
	}
	_, err = New().ServeQuery(context.Background(), &awsapi.Call{Operation: "AssumeRoot"}, url.Values{"Version": {"2011-06-15"}})
	var e *awsapi.Error
	if !errors.As(err, &e) || e.Code != "InvalidAction" || e.Status != 400 {
		t.Fatalf("unknown action: %v", err)
	}
}
