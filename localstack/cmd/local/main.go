// Command local runs the whole keyward stack on this machine (`make local`): the
// Docker-free endpoint with DynamoDB Local on 127.0.0.1:4566, the resources of
// the CDK stacks (shared/naming, shared/table), and the four functions as their
// real bootstraps behind the local Lambda Runtime API — keyops serving the HTTP
// API on 127.0.0.1:8080, audit fed by the CloudTrail tap, alarms every minute,
// rotation driven by RotateSecret. It prints what is where; Ctrl-C stops
// everything.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/keyward/keyward/localstack/stack"
	"github.com/keyward/keyward/shared/naming"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func run() error {
	var o stack.Options
	var logPath, env string
	flag.StringVar(&o.Addr, "addr", envOr("KEYWARD_ENDPOINT_ADDR", "127.0.0.1:4566"), "endpoint listen address")
	flag.StringVar(&o.APIAddr, "api", "127.0.0.1:8080", "keyops API listen address")
	flag.StringVar(&o.DataDir, "data", os.Getenv("KEYWARD_DATA_DIR"), "endpoint state folder (empty: in memory)")
	flag.StringVar(&o.BinDir, "bin", ".build/local/bin", "where the function bootstraps are built")
	flag.StringVar(&o.AuditPath, "audit", stack.AuditEventBridge, "audit path: eventbridge (every CloudTrail event) or logfiles (S3 log files → SQS batches)")
	flag.DurationVar(&o.AlarmEvery, "alarm-every", time.Minute, "alarms schedule (negative: none)")
	flag.DurationVar(&o.SecretTTL, "secret-ttl", 10*time.Second, "keyops secret cache TTL (KEYOPS_SECRET_TTL)")
	flag.StringVar(&logPath, "function-logs", ".build/local/functions.log", "file the functions' logs go to (- for stderr)")
	flag.StringVar(&env, "env", naming.LocalEnvironment, "environment the local stack plays")
	flag.Parse()
	o.Env = naming.Env(env)

	var logs io.Writer = os.Stderr
	if logPath != "-" {
		if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
			return err
		}
		f, err := os.Create(logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		logs = f
	}
	o.FunctionLogs = logs
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	begin := time.Now()
	fmt.Println("local: building the bootstraps, starting DynamoDB Local and the endpoint …")
	st, err := stack.Start(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()

	fmt.Printf("local: up in %s\n", time.Since(begin).Round(time.Millisecond))
	for _, l := range st.Where() {
		fmt.Println("  " + l)
	}
	fmt.Println("  cold starts (process start → first Runtime API poll):")
	for _, fn := range naming.Functions {
		size := int64(0)
		if fi, err := os.Stat(st.Bootstraps[fn]); err == nil {
			size = fi.Size()
		}
		fmt.Printf("    %-9s %8s  bootstrap %5.1f MiB  %s\n", fn, st.ColdStarts[fn].Round(10*time.Microsecond),
			float64(size)/(1<<20), st.Bootstraps[fn])
	}
	fmt.Printf("  function logs: %s\n", logPath)
	fmt.Printf("local: try `make demo`, or:\n  curl -s -X POST %s/v1/keys -d '{\"alias\":\"alias/app-orders\",\"environment\":\"%s\"}'\n", st.APIURL, o.Env)
	fmt.Printf("  export AWS_ENDPOINT_URL=%s AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test\n", st.Endpoint.URL)
	fmt.Println("local: Ctrl-C stops everything")
	<-ctx.Done()
	fmt.Println("\nlocal: stopping …")
	if err := st.Close(); err != nil {
		return err
	}
	fmt.Println("local: stopped")
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
