package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/localstack/trail"
	"github.com/keyward/keyward/shared/audit"
)

// TestLocalEndpointTapFillsTheStore makes real KMS calls through the AWS SDK
// against the local endpoint; its CloudTrail tap delivers each event to the
// handler through lambda.NewHandler, as `make local` does.
func TestLocalEndpointTapFillsTheStore(t *testing.T) {
	var e *env
	ready := make(chan struct{})
	target := trail.TargetFunc(func(ctx context.Context, event []byte) error {
		<-ready
		_, err := lambda.NewHandler(e.h.Invoke).Invoke(ctx, event)
		if err != nil {
			t.Logf("delivery failed: %v", err)
		}
		return err
	})
	srv := endpointtest.StartWith(t, endpoint.Options{DynamoDB: true, TrailTargets: []trail.Target{target}})
	e = newEnv(t, srv)
	close(ready)

	ctx := context.Background()
	k := kms.NewFromConfig(endpointtest.Config(srv, ""))
	start := time.Now().Add(-time.Minute)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("audit tap test")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(key.KeyMetadata.Arn)
	ctxMap := map[string]string{"app": "audit-test"}
	ct, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("tap"), EncryptionContext: ctxMap})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob, EncryptionContext: ctxMap}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, _ = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob, EncryptionContext: ctxMap}) // DisabledException

	q := audit.CountQuery{Resource: arn, Granularity: audit.Hour, From: start, To: time.Now().Add(time.Hour), Operations: []string{"Decrypt"}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := e.store.Total(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if n == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Decrypt count %d after 20s, want 6 (5 ok + 1 DisabledException); logs:\n%s", n, e.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	lu, ok, err := e.store.LastUse(ctx, arn, []string{"Decrypt"}, start)
	if err != nil || !ok || lu.Outcome != "DisabledException" {
		t.Errorf("last use = %+v %v %v", lu, ok, err)
	}
	evs, err := e.store.EventsByResource(ctx, arn, audit.EventQuery{From: start, To: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range evs {
		names = append(names, r.Name)
	}
	if len(evs) != 3 { // CreateKey, DisableKey, the failed Decrypt
		t.Errorf("stored events %v, want CreateKey, DisableKey and the failed Decrypt", names)
	}
}
