package trail

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

var fixedTime = time.Date(2026, 12, 2, 5, 31, 55, 0, time.UTC)

func decryptCall(c awsapi.Caller) *awsapi.Call {
	return &awsapi.Call{Service: "kms", Operation: "Decrypt", Region: "us-east-1",
		RequestID: "11111111-1111-4111-8111-111111111111", Time: fixedTime, Caller: c}
}

var alice = awsapi.Caller{AccessKeyID: "AKIDALICE", ARN: "arn:aws:iam::111122223333:user/alice",
	AccountID: "111122223333", PrincipalID: "AIDAEXAMPLEALICE01", Type: "IAMUser",
	SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.47.7"}

var rotationRole = awsapi.Caller{AccessKeyID: "ASIAROTATION",
	ARN:       "arn:aws:sts::111122223333:assumed-role/keyward-rotation/keyward-rotation",
	AccountID: "111122223333", PrincipalID: "AROAEXAMPLEROTATE1:keyward-rotation", Type: "AssumedRole",
	SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.47.7"}

var keyResource = []awsapi.Resource{{ARN: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	AccountID: "111122223333", Type: "AWS::KMS::Key"}}

// stable blanks the random ids so events compare with golden files.
func stable(t *testing.T, ev Event) []byte {
	t.Helper()
	ev.ID, ev.Detail.EventID = "<id>", "<eventID>"
	if ev.Detail.EventType == "AwsServiceEvent" {
		ev.Detail.RequestID = "<requestID>"
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestEventsMatchGolden(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
	}{
		{"kms-decrypt-iam-user", Envelope(APICallRecord(decryptCall(alice), awsapi.TrailDetails{
			RequestParameters: map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": map[string]any{"tenant": "a"}},
			Resources:         keyResource, ReadOnly: true, ManagementEvent: true, EventCategory: "Management"}, nil), DetailTypeAPICall)},
		{"kms-decrypt-assumed-role-error", Envelope(APICallRecord(decryptCall(rotationRole), awsapi.TrailDetails{
			RequestParameters: map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, Resources: keyResource, ReadOnly: true},
			&awsapi.Error{Status: 400, Code: "InvalidCiphertextException"}), DetailTypeAPICall)},
		{"secretsmanager-rotation-succeeded", Envelope(ServiceEventRecord(awsapi.ServiceEvent{
			Source: "secretsmanager.amazonaws.com", EventName: "RotationSucceeded", Time: fixedTime, Region: "us-east-1",
			AccountID: "111122223333", AdditionalEventData: map[string]any{"SecretId": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"},
		}), DetailTypeServiceEvent)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := stable(t, tc.ev)
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update once)", err)
			}
			if string(got) != string(want) {
				t.Fatalf("event differs from %s:\n%s", path, got)
			}
		})
	}
}

func TestAPICallRecordOnErrorHasNoResponse(t *testing.T) {
	r := APICallRecord(decryptCall(alice), awsapi.TrailDetails{ResponseElements: map[string]any{"x": 1}},
		&awsapi.Error{Code: "NotFoundException", Message: "gone"})
	if r.ResponseElements != nil || r.ErrorCode != "NotFoundException" || r.ErrorMessage != "gone" {
		t.Fatalf("record = %+v", r)
	}
}

func TestInvokedByCallsCarryTheServiceAsSource(t *testing.T) {
	c := alice
	c.InvokedBy = "secretsmanager.amazonaws.com"
	r := APICallRecord(decryptCall(c), awsapi.TrailDetails{}, nil)
	if r.SourceIPAddress != "secretsmanager.amazonaws.com" || r.UserIdentity.InvokedBy != "secretsmanager.amazonaws.com" ||
		r.UserIdentity.ARN != alice.ARN {
		t.Fatalf("record = %+v", r)
	}
}
