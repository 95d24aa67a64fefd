// Command endpoint runs keyward's Docker-free local AWS endpoint (what `make
// local-up` starts): KMS, Secrets Manager, DynamoDB (DynamoDB Local), S3, SNS and
// STS on one port, with the CloudTrail tap.
//
// Flags override environment variables, which override defaults:
//
//	-addr        KEYWARD_ENDPOINT_ADDR   127.0.0.1:4566
//	-data-dir    KEYWARD_DATA_DIR        "" (in memory)
//	-dynamodb    KEYWARD_DYNAMODB        true (start DynamoDB Local)
//	-region      AWS_REGION              us-east-1
//	-account     KEYWARD_ACCOUNT_ID      111122223333
//	-principals  KEYWARD_PRINCIPALS_FILE JSON {"ACCESSKEY": "principal ARN"} merged over the defaults
//	-trail-file  KEYWARD_TRAIL_FILE      <data-dir>/cloudtrail/events.jsonl
//	-trail-bucket  KEYWARD_TRAIL_BUCKET  "" (set: CloudTrail log files in this local S3 bucket)
//	-trail-targets KEYWARD_TRAIL_TARGETS "" (comma-separated URLs each event is POSTed to, in order, at least once)
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/runtimeapi"
	"github.com/keyward/keyward/localstack/trail"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(log); err != nil {
		log.Error("endpoint stopped", "err", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func run(log *slog.Logger) error {
	ddbDefault, _ := strconv.ParseBool(env("KEYWARD_DYNAMODB", "true"))
	addr := flag.String("addr", env("KEYWARD_ENDPOINT_ADDR", "127.0.0.1:4566"), "listen address")
	dataDir := flag.String("data-dir", env("KEYWARD_DATA_DIR", ""), "state folder (empty: in memory)")
	ddb := flag.Bool("dynamodb", ddbDefault, "start DynamoDB Local and forward DynamoDB calls to it")
	region := flag.String("region", env("AWS_REGION", "us-east-1"), "default region")
	account := flag.String("account", env("KEYWARD_ACCOUNT_ID", "111122223333"), "account id")
	principals := flag.String("principals", env("KEYWARD_PRINCIPALS_FILE", ""), "access key → principal ARN JSON file")
	trailFile := flag.String("trail-file", env("KEYWARD_TRAIL_FILE", ""), "CloudTrail JSONL file")
	trailBucket := flag.String("trail-bucket", env("KEYWARD_TRAIL_BUCKET", ""), "local S3 bucket for CloudTrail log files")
	trailTargets := flag.String("trail-targets", env("KEYWARD_TRAIL_TARGETS", ""), "comma-separated URLs that receive every CloudTrail event")
	flag.Parse()

	o := endpoint.Options{Addr: *addr, DataDir: *dataDir, DynamoDB: *ddb, Region: *region,
		AccountID: *account, TrailFile: *trailFile, TrailBucket: *trailBucket, Logger: log,
		// No functions run here (`make local` runs them): RotateSecret can enable
		// rotation (RotateImmediately=false) and reports a missing function otherwise.
		Invoker: runtimeapi.NewRegistry()}
	for _, u := range strings.Split(*trailTargets, ",") {
		if u = strings.TrimSpace(u); u != "" {
			o.TrailTargets = append(o.TrailTargets, trail.HTTPTarget{URL: u})
		}
	}
	if *principals != "" {
		p, err := endpoint.LoadPrincipals(*principals, *account)
		if err != nil {
			return err
		}
		o.Principals = p
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	srv, err := endpoint.Start(ctx, o)
	if err != nil {
		return err
	}
	fmt.Printf("keyward endpoint ready on %s in %s (AWS_ENDPOINT_URL=%s)\n", srv.URL, time.Since(start).Round(time.Millisecond), srv.URL)
	<-ctx.Done()
	log.Info("shutting down")
	return srv.Close()
}
