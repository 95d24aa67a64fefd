package envelope_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/shared/envelope"
)

// countingKMS counts the calls that reach the real (local) KMS client; gate, when set, holds
// GenerateDataKey until closed.
type countingKMS struct {
	*kms.Client
	generate, encrypt, decrypt atomic.Int64
	gate                       chan struct{}
}

func (c *countingKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	c.generate.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	return c.Client.GenerateDataKey(ctx, in, opts...)
}

func (c *countingKMS) Encrypt(ctx context.Context, in *kms.EncryptInput, opts ...func(*kms.Options)) (*kms.EncryptOutput, error) {
	c.encrypt.Add(1)
	return c.Client.Encrypt(ctx, in, opts...)
}

func (c *countingKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	c.decrypt.Add(1)
	return c.Client.Decrypt(ctx, in, opts...)
}

type kmsFixture struct {
	client           *countingKMS
	key1, key2, key3 string // key ARNs
	alias1           string
}

func newKMSFixture(t *testing.T) *kmsFixture {
	t.Helper()
	srv := endpointtest.StartWithoutDynamoDB(t)
	client := kms.NewFromConfig(endpointtest.Config(srv, ""))
	ctx := context.Background()
	f := &kmsFixture{client: &countingKMS{Client: client}, alias1: "alias/keyward-envelope-test"}
	for _, p := range []*string{&f.key1, &f.key2, &f.key3} {
		out, err := client.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("envelope test")})
		if err != nil {
			t.Fatalf("CreateKey on the local endpoint: %v", err)
		}
		*p = aws.ToString(out.KeyMetadata.Arn)
	}
	if _, err := client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.alias1), TargetKeyId: aws.String(f.key1)}); err != nil {
		t.Fatalf("CreateAlias: %v", err)
	}
	return f
}

func (f *kmsFixture) keyring(t *testing.T, gen string, ids ...string) envelope.Keyring {
	t.Helper()
	kr, err := envelope.NewKMSKeyring(envelope.KMSKeyringConfig{Client: f.client, Generator: gen, KeyIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestKMSKeyring(t *testing.T) {
	ctx := context.Background()
	f := newKMSFixture(t)
	ec := map[string]string{"tenant": "acme"}
	// An alias works as the generator; the encrypted data keys name key ARNs.
	enc := mustClient(t, envelope.Config{Keyring: f.keyring(t, f.alias1, f.key2), Suite: envelope.AES256GCMHKDFSHA512CommitECDSAP384})
	msg, err := enc.Encrypt(ctx, []byte("secret"), ec)
	if err != nil {
		t.Fatal(err)
	}
	if f.client.generate.Load() != 1 || f.client.encrypt.Load() != 1 {
		t.Fatalf("GenerateDataKey %d, Encrypt %d; want 1 and 1", f.client.generate.Load(), f.client.encrypt.Load())
	}
	discovery := func(partition string, accounts ...string) envelope.Keyring {
		kr, err := envelope.NewKMSDiscoveryKeyring(envelope.KMSDiscoveryConfig{Client: f.client, Partition: partition, AccountIDs: accounts})
		if err != nil {
			t.Fatal(err)
		}
		return kr
	}
	tests := []struct {
		name      string
		kr        envelope.Keyring
		ok        bool
		kmsCalled bool
	}{
		{"generator key ARN", f.keyring(t, f.key1), true, true},
		{"additional key ARN", f.keyring(t, "", f.key2), true, true},
		{"alias does not match on decrypt", f.keyring(t, f.alias1), false, false},
		{"other key", f.keyring(t, f.key3), false, false},
		{"discovery", discovery("", []string{}...), true, true},
		{"discovery in account", discovery("aws", "111122223333"), true, true},
		{"discovery other account", discovery("aws", "999999999999"), false, false},
		{"discovery other partition", discovery("aws-cn", "111122223333"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.client.decrypt.Load()
			pt, _, err := mustClient(t, envelope.Config{Keyring: tt.kr}).Decrypt(ctx, msg, ec)
			if tt.ok && (err != nil || string(pt) != "secret") {
				t.Fatalf("Decrypt = %q, %v", pt, err)
			}
			if !tt.ok && !errors.Is(err, envelope.ErrNoDataKey) {
				t.Fatalf("Decrypt err = %v, want ErrNoDataKey", err)
			}
			if called := f.client.decrypt.Load() > before; called != tt.kmsCalled {
				t.Fatalf("KMS Decrypt called: %v, want %v", called, tt.kmsCalled)
			}
		})
	}
	// KMS checks the encryption context too: a tampered EDK ciphertext fails in KMS.
	if _, err := envelope.NewKMSDiscoveryKeyring(envelope.KMSDiscoveryConfig{Client: f.client, Partition: "aws"}); err == nil {
		t.Fatal("discovery filter without accounts accepted")
	}
	if _, err := mustClient(t, envelope.Config{Keyring: discovery("")}).Encrypt(ctx, nil, nil); err == nil {
		t.Fatal("discovery keyring encrypted")
	}
}

// TestKMSCachedDataKey proves the cache's purpose: 10,000 messages under one cached data key make
// one GenerateDataKey call, and 64 goroutines that miss at once make one call between them.
func TestKMSCachedDataKey(t *testing.T) {
	ctx := context.Background()
	f := newKMSFixture(t)
	cmm, err := envelope.NewCachingMaterials(envelope.CachingConfig{Materials: envelope.NewKeyringMaterials(f.keyring(t, f.key1)), TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c := mustClient(t, envelope.Config{Materials: cmm})
	ec := map[string]string{"tenant": "acme"}
	var last []byte
	for range 10_000 {
		if last, err = c.Encrypt(ctx, []byte("payload"), ec); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.client.generate.Load(); n != 1 {
		t.Fatalf("10,000 cached encryptions made %d GenerateDataKey calls, want 1", n)
	}
	if pt, _, err := c.Decrypt(ctx, last, ec); err != nil || string(pt) != "payload" {
		t.Fatalf("Decrypt = %q, %v", pt, err)
	}

	f.client.gate = make(chan struct{})
	f.client.generate.Store(0)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			_, err := c.Encrypt(ctx, []byte("x"), map[string]string{"tenant": "new"})
			errs <- err
		})
	}
	for f.client.generate.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(f.client.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.client.generate.Load(); n != 1 {
		t.Fatalf("64 concurrent misses made %d GenerateDataKey calls, want 1", n)
	}
}
