package apikey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

var seq atomic.Int64

func createCredential(t *testing.T, c rotationtest.Client, token string) string {
	t.Helper()
	out, err := c.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(fmt.Sprintf("provider-credential-%d", seq.Add(1))), SecretString: aws.String(`{"token":"` + token + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ARN)
}

func secretFor(t *testing.T, c rotationtest.Client, base string, p *provider) string {
	s := rotation.Secret{
		"engine": "apikey", "createurl": base + "/keys", "testurl": base + "/whoami", "revokeurl": base + "/keys/{id}",
		"credentialarn": createCredential(t, c, adminToken),
	}
	if p != nil {
		p.mu.Lock()
		id, key := p.mint()
		p.mu.Unlock()
		s["keyid"], s["apikey"] = id, key
	} else {
		s["keyid"], s["apikey"] = "k-0", "key-unreachable-0000"
	}
	str, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return str
}

func target(p *provider) rotationtest.Target {
	return rotationtest.Target{
		NewSecret: func(t *testing.T, c rotationtest.Client, _ string) string { return secretFor(t, c, p.srv.URL, p) },
		Login: func(_ context.Context, s rotation.Secret) error {
			if k, _ := s.String("apikey"); p.isActive(k) {
				return nil
			}
			return errors.New("key not active")
		},
		Unreachable: func(t *testing.T, c rotationtest.Client, _ string) string {
			l, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := l.Addr().String()
			l.Close()
			return secretFor(t, c, "http://"+addr, nil)
		},
		Usernames:   []string{"service"},
		NoPasswords: true,
	}
}

func newRotator(o Options) rotationtest.NewRotator {
	return func(sm rotation.SecretsManager, log *slog.Logger) *rotation.Rotator {
		s := New(o)
		return &rotation.Rotator{SM: sm, Log: log, Select: func(rotation.Secret) (rotation.Strategy, error) { return s, nil }}
	}
}

func TestMatrix(t *testing.T) {
	rotationtest.RunMatrix(t, rotationtest.EndpointBackend, target(newProvider(t)), newRotator(Options{}))
}

// setup creates a rotated secret on the endpoint with a rotator built from o.
func setup(t *testing.T, p *provider, o Options) (rotationtest.Client, string) {
	t.Helper()
	var r *rotation.Rotator
	inv := &lazyInvoker{get: func() *rotation.Rotator { return r }}
	c := rotationtest.EndpointBackend(t, inv)
	r = newRotator(o)(c, nil)
	if _, err := c.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String("api"), SecretString: aws.String(secretFor(t, c, p.srv.URL, p)),
	}); err != nil {
		t.Fatal(err)
	}
	return c, "api"
}

func get(t *testing.T, c rotationtest.Client, stage string) rotation.Secret {
	t.Helper()
	out, err := c.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("api"), VersionStage: aws.String(stage)})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := rotation.ParseSecret(aws.ToString(out.SecretString))
	return s
}

// The previous key is revoked only after AWSCURRENT has moved, and after the grace.
func TestRevokeAfterStageMoveAndGrace(t *testing.T) {
	p := newProvider(t)
	var slept time.Duration
	var c rotationtest.Client
	var revokedWhileCurrent atomic.Bool
	c, name := setup(t, p, Options{RevokeGrace: 90 * time.Second, Sleep: func(_ context.Context, d time.Duration) error { slept = d; return nil }})
	old := get(t, c, rotation.StageCurrent)
	p.onRevoke = func(id string) {
		if cur := get(t, c, rotation.StageCurrent); cur["keyid"] == id {
			revokedWhileCurrent.Store(true)
		}
	}
	rotationtest.Rotate(t, c, name)
	if revokedWhileCurrent.Load() {
		t.Fatal("revoked the key that was still AWSCURRENT")
	}
	if slept != 90*time.Second {
		t.Fatalf("grace = %v, want 90s", slept)
	}
	if p.isActive(old["apikey"].(string)) {
		t.Fatal("previous key still active after finishSecret")
	}
	if !p.isActive(get(t, c, rotation.StageCurrent)["apikey"].(string)) {
		t.Fatal("new key not active")
	}
}

// A crash between the stage move and the revoke: redelivered finishSecret (the
// token is now AWSCURRENT) still revokes the previous key.
func TestRevokeRetriedOnRedelivery(t *testing.T) {
	p := newProvider(t)
	c, name := setup(t, p, Options{})
	old := get(t, c, rotation.StageCurrent)
	p.failRevokes = 1
	out, err := c.RotateSecret(context.Background(), &secretsmanager.RotateSecretInput{SecretId: aws.String(name), RotationLambdaARN: aws.String(rotationtest.FunctionName)})
	if err != nil {
		t.Fatal(err)
	}
	if !p.isActive(old["apikey"].(string)) {
		t.Fatal("revoke should have failed once")
	}
	r := newRotator(Options{})(c, nil)
	if err := r.Handle(context.Background(), eventFor(t, c, "finishSecret", aws.ToString(out.VersionId))); err != nil {
		t.Fatalf("redelivered finishSecret: %v", err)
	}
	if p.isActive(old["apikey"].(string)) {
		t.Fatal("previous key still active after redelivered finishSecret")
	}
}

func TestRefusesPlainHTTPToRemoteHost(t *testing.T) {
	p := newProvider(t)
	c, _ := setup(t, p, Options{})
	cred := createCredential(t, c, adminToken)
	s, _ := rotation.Secret{"engine": "apikey", "createurl": "http://api.example.com/keys", "testurl": "https://api.example.com/me",
		"revokeurl": "https://api.example.com/keys/{id}", "credentialarn": cred}.Encode()
	if _, err := c.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("plain"), SecretString: aws.String(s)}); err != nil {
		t.Fatal(err)
	}
	cur, _ := rotation.ParseSecret(s)
	_, err := New(Options{}).Create(context.Background(), &rotation.Request{SecretID: "plain", Token: "t", Current: cur, SM: c})
	if !errors.Is(err, rotation.ErrInsecureTransport) {
		t.Fatalf("got %v, want ErrInsecureTransport", err)
	}
}

func TestWrongCredential(t *testing.T) {
	p := newProvider(t)
	c, _ := setup(t, p, Options{})
	cur := get(t, c, rotation.StageCurrent)
	cur["credentialarn"] = createCredential(t, c, "wrong-admin-token")
	_, err := New(Options{}).Create(context.Background(), &rotation.Request{SecretID: "api", Token: "t", Current: cur, SM: c})
	if !errors.Is(err, rotation.ErrAuth) || strings.Contains(err.Error(), "wrong-admin-token") {
		t.Fatalf("got %v, want ErrAuth without the credential", err)
	}
}
