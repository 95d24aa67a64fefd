package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/localstack/rotationfixture"
	"github.com/keyward/keyward/localstack/runtimeapi"
)

// TestProvisionedFixtureSecretRotates stages the fixtures' secret the way
// `make local-up` does (on an endpoint whose function registry is empty, as
// localstack/cmd/endpoint's is), runs the four step fixtures through the Lambda
// handler path against the machine's PostgreSQL, and checks that AWSCURRENT moved
// to the fixtures' token. Staging twice, and again after the rotation, is harmless.
func TestProvisionedFixtureSecretRotates(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL on 127.0.0.1:5432 is required in CI: %v", err)
		}
		t.Skipf("PostgreSQL on 127.0.0.1:5432 unavailable: %v", err)
	}
	_ = conn.Close(ctx)

	srv := endpointtest.StartWith(t, endpoint.Options{Invoker: runtimeapi.NewRegistry()})
	sm := secretsmanager.NewFromConfig(endpointtest.Config(srv, ""))
	o := rotationfixture.Options{FunctionARN: "arn:aws:lambda:us-east-1:111122223333:function:keyward-dev-rotation"}
	for range 2 {
		if err := rotationfixture.Ensure(ctx, sm, o); err != nil {
			t.Fatal(err)
		}
	}
	desc, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(rotationfixture.SecretName)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(desc.RotationEnabled) || !slices.Equal(desc.VersionIdsToStages[rotationfixture.Token], []string{"AWSPENDING"}) {
		t.Fatalf("after provisioning: rotation enabled %v, stages %v", aws.ToBool(desc.RotationEnabled), desc.VersionIdsToStages)
	}

	var metrics bytes.Buffer
	cfg, err := ConfigFromEnv(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	h := lambda.NewHandler(NewRotator(cfg, sm, &ledgerRecorder{}, slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), &metrics).Handle)
	for _, step := range fixtureSteps {
		if _, err := h.Invoke(ctx, fixture(t, step)); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	cur, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(rotationfixture.SecretName), VersionStage: aws.String("AWSCURRENT")})
	if err != nil || aws.ToString(cur.VersionId) != rotationfixture.Token {
		t.Fatalf("AWSCURRENT is %q (%v), want the fixtures' token %s", aws.ToString(cur.VersionId), err, rotationfixture.Token)
	}
	if err := rotationfixture.Ensure(ctx, sm, o); err != nil {
		t.Fatalf("provisioning after the rotation: %v", err)
	}
}
