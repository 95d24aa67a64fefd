package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/keyward/keyward/localstack/trail"
)

// trailEvents reads the tap's recent events from the debug URL, filtered.
func trailEvents(t *testing.T, source, eventName string) []trail.Event {
	t.Helper()
	q := url.Values{"source": {source}, "eventName": {eventName}}
	resp, err := http.Get(endpointURL + "/_keyward/cloudtrail/events?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var evs []trail.Event
	if err := json.NewDecoder(resp.Body).Decode(&evs); err != nil {
		t.Fatal(err)
	}
	return evs
}

// findEvent returns the event whose detail satisfies match, or fails.
func findEvent(t *testing.T, source, name string, match func(trail.Record) bool) trail.Event {
	t.Helper()
	for _, ev := range trailEvents(t, source, name) {
		if match(ev.Detail) {
			return ev
		}
	}
	t.Fatalf("no %s %s event matched", source, name)
	return trail.Event{}
}

func TestTrailRecordsKMSCalls(t *testing.T) {
	requireLocal(t)
	c := kms.NewFromConfig(clientConfig("AKIDALICE"))
	ctx := ctxT(t)
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("trail")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(k.KeyMetadata.Arn)
	ec := map[string]string{"case": t.Name()}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("TOP-SECRET-PLAINTEXT"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}); err != nil {
		t.Fatal(err)
	}
	_, failed := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}) // no context: fails

	touches := func(r trail.Record) bool { return len(r.Resources) == 1 && r.Resources[0].ARN == arn }
	created := findEvent(t, "aws.kms", "CreateKey", touches)
	if created.DetailType != "AWS API Call via CloudTrail" || created.Detail.ResponseElements["keyMetadata"] == nil || created.Detail.ReadOnly {
		t.Fatalf("CreateKey event = %+v", created)
	}
	ok := findEvent(t, "aws.kms", "Decrypt", func(r trail.Record) bool { return touches(r) && r.ErrorCode == "" })
	d := ok.Detail
	if d.EventVersion != "1.11" || d.EventSource != "kms.amazonaws.com" || d.AWSRegion != "us-east-1" ||
		d.UserIdentity.ARN != "arn:aws:iam::111122223333:user/alice" || d.UserIdentity.Type != "IAMUser" ||
		d.UserIdentity.AccessKeyID != "AKIDALICE" || d.UserIdentity.UserName != "alice" ||
		d.SourceIPAddress != "127.0.0.1" || !strings.Contains(d.UserAgent, "aws-sdk-go") ||
		d.ResponseElements != nil || !d.ReadOnly || d.EventType != "AwsApiCall" || !d.ManagementEvent ||
		d.RecipientAccountID != "111122223333" || d.EventCategory != "Management" || d.Resources[0].Type != "AWS::KMS::Key" ||
		len(d.EventID) != 36 || d.RequestID == "" || ok.Source != "aws.kms" || ok.Account != "111122223333" {
		t.Fatalf("Decrypt record = %+v", d)
	}
	if got := d.RequestParameters["encryptionContext"].(map[string]any)["case"]; got != t.Name() {
		t.Fatalf("encryption context not recorded: %v", d.RequestParameters)
	}
	if _, err := time.Parse(time.RFC3339, d.EventTime); err != nil {
		t.Fatalf("eventTime %q: %v", d.EventTime, err)
	}
	if failed == nil {
		t.Fatal("Decrypt without context succeeded")
	}
	bad := findEvent(t, "aws.kms", "Decrypt", func(r trail.Record) bool { return touches(r) && r.ErrorCode != "" })
	if bad.Detail.ErrorCode != "InvalidCiphertextException" {
		t.Fatalf("failed Decrypt record: %+v", bad.Detail)
	}
	for _, ev := range trailEvents(t, "aws.kms", "") {
		b, _ := json.Marshal(ev)
		if strings.Contains(string(b), "TOP-SECRET-PLAINTEXT") || strings.Contains(string(b), "VE9QLVNFQ1JFVC1QTEFJTlRFWFQ") {
			t.Fatalf("plaintext leaked into CloudTrail: %s", b)
		}
	}
}

func TestTrailRecordsSecretsManagerCallsAndTheirKMSUse(t *testing.T) {
	requireLocal(t)
	sm := secretsmanager.NewFromConfig(clientConfig("ASIAROTATION"))
	ctx := ctxT(t)
	name := "conformance/trail-" + time.Now().Format("150405.000000")
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("HUNTER2-VALUE")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	secretARN := aws.ToString(created.ARN)
	ev := findEvent(t, "aws.secretsmanager", "GetSecretValue", func(r trail.Record) bool {
		b, _ := json.Marshal(r.RequestParameters)
		return strings.Contains(string(b), name) || strings.Contains(string(b), secretARN)
	})
	if ev.Detail.EventSource != "secretsmanager.amazonaws.com" || ev.Detail.UserIdentity.Type != "AssumedRole" ||
		ev.Detail.UserIdentity.SessionContext == nil {
		t.Fatalf("GetSecretValue record = %+v", ev.Detail)
	}
	// Secrets Manager decrypted the value with KMS on the caller's behalf.
	findEvent(t, "aws.kms", "Decrypt", func(r trail.Record) bool {
		return r.UserIdentity.InvokedBy == "secretsmanager.amazonaws.com" &&
			r.UserIdentity.ARN == "arn:aws:sts::111122223333:assumed-role/keyward-rotation/keyward-rotation"
	})
	for _, src := range []string{"aws.secretsmanager", "aws.kms"} {
		for _, e := range trailEvents(t, src, "") {
			if b, _ := json.Marshal(e); strings.Contains(string(b), "HUNTER2-VALUE") {
				t.Fatalf("secret value leaked into CloudTrail: %s", b)
			}
		}
	}
}
