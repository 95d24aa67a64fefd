package stack

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/runtimeapi"
	"github.com/keyward/keyward/shared/naming"
)

var built struct {
	once  sync.Once
	paths map[string]string
	err   error
}

// bootstraps builds the four functions once per test binary.
func bootstraps(b *testing.B) map[string]string {
	b.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "keyward-stack-bench-")
		if err != nil {
			built.err = err
			return
		}
		root, err := RepoRoot()
		if err != nil {
			built.err = err
			return
		}
		built.paths, built.err = BuildBootstraps(context.Background(), root, dir)
	})
	if built.err != nil {
		b.Fatal(built.err)
	}
	return built.paths
}

// BenchmarkColdStart is each function's cold start as Lambda reports it in
// INIT_REPORT: from starting the bootstrap process to its first poll of the
// Runtime API's /next, with the init code `make local` runs (AWS config, clients,
// the audit function's HMAC key read from Secrets Manager on the local endpoint;
// keyops without its policy seed, so no DynamoDB). init-ms/op is that duration;
// ns/op adds tearing the process down.
func BenchmarkColdStart(b *testing.B) {
	paths := bootstraps(b)
	ctx := context.Background()
	srv, err := endpoint.Start(ctx, endpoint.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(endpoint.DefaultAccessKeyID, "local", "")}
	env := naming.Env(naming.LocalEnvironment)
	secret, err := ensureSecret(ctx, secretsmanager.NewFromConfig(cfg), env.AuditContextKeySecret())
	if err != nil {
		b.Fatal(err)
	}
	extra := map[string][]string{
		"audit":  {"AUDIT_CONTEXT_KEY_SECRET_ID=" + secret},
		"alarms": {"ALARM_WINDOW=1m"},
	}
	for _, fn := range naming.Functions {
		b.Run(fn, func(b *testing.B) {
			vars := append([]string{"AWS_ENDPOINT_URL=" + srv.URL, "AWS_REGION=us-east-1",
				"AWS_ACCESS_KEY_ID=" + accessKey(fn), "AWS_SECRET_ACCESS_KEY=local", "TABLE_NAME=keyward",
				"ACCOUNT_ID=111122223333"}, extra[fn]...)
			f, err := runtimeapi.New(runtimeapi.Config{Name: env.Function(fn), Path: paths[fn], Env: vars,
				InitTimeout: 30 * time.Second, Stdout: io.Discard, Stderr: io.Discard})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			var total time.Duration
			for b.Loop() {
				d, err := f.Start(ctx)
				if err != nil {
					b.Fatal(err)
				}
				total += d
				_ = f.Close() // the next iteration is a new execution environment
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "init-ms/op")
			if fi, err := os.Stat(paths[fn]); err == nil {
				b.ReportMetric(float64(fi.Size())/(1<<20), "bootstrap-MiB")
			}
		})
	}
}
