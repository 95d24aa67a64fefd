// Command alarms is keyward's alarms Lambda function: on a schedule it evaluates
// the security rules over the audit store (job "alarms", every 5 minutes) and the
// posture checks over Secrets Manager and KMS (job "posture", daily), keeps alarm
// state in the table and notifies SNS on transitions.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/posture"
	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

func main() {
	log := lambdacontext.NewLogger()
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		log.Error("alarms: configuration", "error", err.Error())
		os.Exit(1)
	}
	h.Log = log
	h.Evaluator.Log = log
	lambda.Start(h.Invoke)
}

// newHandler wires the environment to clients and the handler:
//
//	TABLE_NAME            the keyward table (default keyward)
//	ALARM_TOPIC_ARN       SNS topic for notifications (empty: state only)
//	ACCOUNT_ID            the account that owns keys and secrets (default: STS caller's)
//	AWS_REGION            region (set by Lambda)
//	ALARM_RULES_CONFIG    JSON overriding rule thresholds (rules.Config)
//	ALARM_WINDOW          evaluation window (default 5m)
//	ALARM_LAG             delivery delay to wait out (default 0s)
//	ALARM_RENOTIFY        re-notify interval for standing alarms (default 24h)
//	ALARM_KEY_METRICS     per-key usage EMF metrics (default true)
//	ALARM_CONCURRENCY     parallel DynamoDB requests (default 16)
func newHandler(ctx context.Context, env func(string) string) (*Handler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	tbl := or(env("TABLE_NAME"), table.DefaultName)
	account, region := env("ACCOUNT_ID"), or(env("AWS_REGION"), cfg.Region)
	if account == "" { // the account owning keys and secrets: the function's own
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("ACCOUNT_ID unset and GetCallerIdentity failed: %w", err)
		}
		account = aws.ToString(id.Account)
	}
	rc, err := rules.ParseConfig(account, []byte(env("ALARM_RULES_CONFIG")))
	if err != nil {
		return nil, err
	}
	window, err := duration(env, "ALARM_WINDOW", 5*time.Minute)
	if err != nil {
		return nil, err
	}
	lag, err := duration(env, "ALARM_LAG", 0)
	if err != nil {
		return nil, err
	}
	renotify, err := duration(env, "ALARM_RENOTIFY", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	conc, err := strconv.Atoi(or(env("ALARM_CONCURRENCY"), "16"))
	if err != nil || conc < 1 {
		return nil, fmt.Errorf("ALARM_CONCURRENCY %q: want a positive integer", env("ALARM_CONCURRENCY"))
	}
	db := dynamodb.NewFromConfig(cfg)
	ev := NewEvaluator(db, audit.NewStore(db, audit.StoreConfig{Table: tbl}), tbl, rc)
	ev.Account, ev.Region, ev.Window, ev.Lag, ev.Concurrency = account, region, window, lag, conc
	ev.Policy = alarmstate.Policy{Renotify: renotify}
	ev.Metrics = &Metrics{W: os.Stdout, Key: env("ALARM_KEY_METRICS") != "false"}
	if topic := env("ALARM_TOPIC_ARN"); topic != "" {
		ev.Notifier = alarmstate.Notifier{SNS: sns.NewFromConfig(cfg), TopicARN: topic}
	}
	return &Handler{
		Evaluator:    ev,
		Posture:      posture.Checker{Secrets: secretsmanager.NewFromConfig(cfg), Keys: kms.NewFromConfig(cfg), Config: posture.DefaultConfig()},
		PostureMetas: posture.Metas(),
		Now:          time.Now,
	}, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func duration(env func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := env(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", name, v, err)
	}
	return d, nil
}
