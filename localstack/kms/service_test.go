package kms

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// clock is a settable time source for transitions that take days.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestService(t *testing.T, o Options) (*Service, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)}
	if o.Now == nil {
		o.Now = c.now
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// do calls an operation the way the endpoint does, with a JSON body.
func do(t *testing.T, s *Service, op string, in any) (map[string]any, error) {
	t.Helper()
	body, _ := json.Marshal(in)
	out, err := s.Serve(context.Background(), &awsapi.Call{Service: "kms", Operation: op, Region: "us-east-1", Body: body})
	if err != nil {
		return nil, err
	}
	m, _ := out.(map[string]any)
	return m, nil
}

func mustKey(t *testing.T, s *Service) string {
	t.Helper()
	out, err := do(t, s, "CreateKey", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	return out["KeyMetadata"].(keyMetadata).KeyID
}

func code(err error) string {
	var e *awsapi.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestKeyIsDeletedAtDeletionDate(t *testing.T) {
	s, c := newTestService(t, Options{})
	id := mustKey(t, s)
	if _, err := do(t, s, "CreateAlias", map[string]any{"AliasName": "alias/doomed", "TargetKeyId": id}); err != nil {
		t.Fatal(err)
	}
	if _, err := do(t, s, "ScheduleKeyDeletion", map[string]any{"KeyId": id, "PendingWindowInDays": 7}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(7*24*time.Hour - time.Second)
	if _, err := do(t, s, "DescribeKey", map[string]any{"KeyId": id}); err != nil {
		t.Fatalf("key gone before its DeletionDate: %v", err)
	}
	c.t = c.t.Add(2 * time.Second)
	if _, err := do(t, s, "DescribeKey", map[string]any{"KeyId": id}); code(err) != "NotFoundException" {
		t.Fatalf("after DeletionDate: want NotFoundException, got %v", err)
	}
	if _, err := do(t, s, "DescribeKey", map[string]any{"KeyId": "alias/doomed"}); code(err) != "NotFoundException" {
		t.Fatalf("alias of deleted key: want NotFoundException, got %v", err)
	}
}

func TestAutomaticRotationAddsMaterialWhenDue(t *testing.T) {
	s, c := newTestService(t, Options{})
	id := mustKey(t, s)
	old, err := do(t, s, "Encrypt", map[string]any{"KeyId": id, "Plaintext": []byte("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := do(t, s, "EnableKeyRotation", map[string]any{"KeyId": id, "RotationPeriodInDays": 90}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.AddDate(0, 0, 91)
	rot, err := do(t, s, "ListKeyRotations", map[string]any{"KeyId": id})
	if err != nil {
		t.Fatal(err)
	}
	if got := rot["Rotations"].([]rotationEntry); len(got) != 1 || got[0].RotationType != "AUTOMATIC" {
		t.Fatalf("rotations after 91 days = %+v, want one AUTOMATIC", got)
	}
	newer, _ := do(t, s, "Encrypt", map[string]any{"KeyId": id, "Plaintext": []byte("v2")})
	h1, _ := parseBlobHeader(old["CiphertextBlob"].([]byte))
	h2, _ := parseBlobHeader(newer["CiphertextBlob"].([]byte))
	if h1.Version != 1 || h2.Version != 2 {
		t.Fatalf("material versions %d, %d; want 1, 2", h1.Version, h2.Version)
	}
	if _, err := do(t, s, "Decrypt", map[string]any{"CiphertextBlob": old["CiphertextBlob"]}); err != nil {
		t.Fatalf("old ciphertext after rotation: %v", err)
	}
}

func TestStateFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kms.json")
	s, _ := newTestService(t, Options{StateFile: path})
	id := mustKey(t, s)
	enc, _ := do(t, s, "Encrypt", map[string]any{"KeyId": id, "Plaintext": []byte("persisted")})
	if _, err := do(t, s, "TagResource", map[string]any{"KeyId": id, "Tags": []map[string]string{{"TagKey": "k", "TagValue": "v"}}}); err != nil {
		t.Fatal(err)
	}
	s2, _ := newTestService(t, Options{StateFile: path})
	dec, err := do(t, s2, "Decrypt", map[string]any{"CiphertextBlob": enc["CiphertextBlob"]})
	if err != nil || string(dec["Plaintext"].([]byte)) != "persisted" {
		t.Fatalf("Decrypt with reloaded state = %v, %v", dec, err)
	}
	tags, _ := do(t, s2, "ListResourceTags", map[string]any{"KeyId": id})
	if len(tags["Tags"].([]tag)) != 1 {
		t.Fatalf("tags not persisted: %v", tags)
	}
}

func TestKeyRingTakesSecretSizedValues(t *testing.T) {
	s, _ := newTestService(t, Options{})
	big := make([]byte, 65536)
	blob, _, err := s.Encrypt(context.Background(), "", big, nil)
	if err != nil {
		t.Fatalf("KeyRing Encrypt of 64 KiB: %v", err)
	}
	if pt, _, err := s.Decrypt(context.Background(), blob, nil); err != nil || len(pt) != len(big) {
		t.Fatalf("KeyRing Decrypt of 64 KiB: %d bytes, %v", len(pt), err)
	}
	if _, err := do(t, s, "Decrypt", map[string]any{"CiphertextBlob": blob}); code(err) != "ValidationException" {
		t.Fatalf("API Decrypt of an oversized blob: want ValidationException, got %v", err)
	}
}

func TestAWSManagedKeyAppearsOnFirstUse(t *testing.T) {
	s, _ := newTestService(t, Options{})
	ctx := awsapi.WithCall(context.Background(), &awsapi.Call{Service: "secretsmanager", Region: "us-east-1",
		Caller: awsapi.Caller{ARN: "arn:aws:iam::111122223333:user/alice", AccountID: "111122223333", Type: "IAMUser"}})
	blob, arn, err := s.Encrypt(ctx, "", []byte("value"), map[string]string{"SecretARN": "x"})
	if err != nil {
		t.Fatal(err)
	}
	md, err := do(t, s, "DescribeKey", map[string]any{"KeyId": "alias/aws/secretsmanager"})
	if err != nil || md["KeyMetadata"].(keyMetadata).Arn != arn || md["KeyMetadata"].(keyMetadata).KeyManager != "AWS" {
		t.Fatalf("managed key = %v, %v", md, err)
	}
	pt, _, err := s.Decrypt(ctx, blob, map[string]string{"SecretARN": "x"})
	if err != nil || string(pt) != "value" {
		t.Fatalf("KeyRing Decrypt = %q, %v", pt, err)
	}
	if _, err := do(t, s, "DisableKey", map[string]any{"KeyId": md["KeyMetadata"].(keyMetadata).KeyID}); code(err) != "UnsupportedOperationException" {
		t.Fatalf("DisableKey of an AWS managed key: got %v", err)
	}
}

type recorded struct {
	calls []*awsapi.Call
	dets  []awsapi.TrailDetails
}

func (r *recorded) APICall(c *awsapi.Call, d awsapi.TrailDetails, _ *awsapi.Error) {
	r.calls, r.dets = append(r.calls, c), append(r.dets, d)
}

func TestKeyRingCallsAreRecordedAsInvokedByTheService(t *testing.T) {
	rec := &recorded{}
	s, _ := newTestService(t, Options{Recorder: rec})
	id := mustKey(t, s)
	ctx := awsapi.WithCall(context.Background(), &awsapi.Call{Service: "secretsmanager", Region: "us-east-1",
		Caller: awsapi.Caller{ARN: "arn:aws:iam::111122223333:user/bob", AccountID: "111122223333", Type: "IAMUser"}})
	if _, _, err := s.Encrypt(ctx, id, []byte("PLAINTEXT-MUST-NOT-LEAK"), nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 1 || rec.calls[0].Caller.InvokedBy != "secretsmanager.amazonaws.com" ||
		rec.calls[0].Caller.ARN != "arn:aws:iam::111122223333:user/bob" || rec.calls[0].Operation != "GenerateDataKey" {
		t.Fatalf("recorded %+v", rec.calls)
	}
	b, _ := json.Marshal(rec.dets[0])
	if len(rec.dets[0].Resources) != 1 || strings.Contains(string(b), "PLAINTEXT") || strings.Contains(string(b), "UExBSU5URVhU") {
		t.Fatalf("details = %s", b)
	}
}
