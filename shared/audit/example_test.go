package audit_test

import (
	"fmt"

	"github.com/keyward/keyward/shared/audit"
)

func ExampleParser_ParseRecord() {
	p := audit.NewParser(audit.ParserConfig{ContextKey: []byte("example-key")})
	r, err := p.ParseRecord([]byte(`{
		"eventVersion": "1.11",
		"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app/i-0abc",
			"accountId": "111122223333",
			"sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/app"}}},
		"eventTime": "2026-12-01T10:00:05Z",
		"eventSource": "kms.amazonaws.com",
		"eventName": "Decrypt",
		"awsRegion": "us-east-1",
		"sourceIPAddress": "198.51.100.23",
		"errorCode": "AccessDeniedException",
		"requestParameters": {"encryptionContext": {"tenant": "acme"}},
		"eventID": "4f9d1c4e-0000-4000-8000-000000000001",
		"readOnly": true,
		"resources": [{"ARN": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],
		"eventType": "AwsApiCall",
		"recipientAccountId": "111122223333"}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Name, r.Kind, r.Outcome(), "stored:", r.Stored())
	fmt.Println(r.Resource())
	fmt.Println(r.Principal.Key, r.Network)
	fmt.Println("context value in clear:", r.Context["tenant"] == "acme", "management:", r.ManagementEvent)
	// Output:
	// Decrypt data AccessDeniedException stored: true
	// arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
	// arn:aws:iam::111122223333:role/app ip4:198.51.100.0/24
	// context value in clear: false management: true
}

func ExampleBatch() {
	p := audit.NewParser(audit.ParserConfig{ContextKey: []byte("example-key")})
	b := audit.NewBatch()
	logFile := []byte(`{"Records":[
		{"eventID":"e1","eventTime":"2026-12-01T10:00:01Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt",
		 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/app"},"sourceIPAddress":"10.0.0.7",
		 "resources":[{"ARN":"arn:aws:kms:us-east-1:111122223333:key/k1"}]},
		{"eventID":"e2","eventTime":"2026-12-01T10:00:02Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt",
		 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/app"},"sourceIPAddress":"10.0.0.9",
		 "resources":[{"ARN":"arn:aws:kms:us-east-1:111122223333:key/k1"}]},
		{"eventID":"e3","eventTime":"2026-12-01T10:00:03Z","eventSource":"kms.amazonaws.com","eventName":"DisableKey",
		 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/admin"},"sourceIPAddress":"10.0.0.9",
		 "resources":[{"ARN":"arn:aws:kms:us-east-1:111122223333:key/k1"}]},
		{"eventID":"e4","eventTime":"2026-12-01T10:00:04Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}]}`)
	st, err := p.ParseLogFile(logFile, b.Add)
	if err != nil {
		panic(err)
	}
	fmt.Printf("records %d, used %d, ignored %d\n", st.Records, st.Used, st.Ignored)
	fmt.Printf("aggregated %d calls into %d usage groups; %d stored one by one (%s)\n",
		b.Records, b.Groups(), len(b.Stored), b.Stored[0].Name)
	// Output:
	// records 4, used 3, ignored 1
	// aggregated 3 calls into 2 usage groups; 1 stored one by one (DisableKey)
}
