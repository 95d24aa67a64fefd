package keyops

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-secretsmanager-caching-go/v2/secretcache"

	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/table"
)

// NewFromEnv wires a Handler from the environment and an AWS config; the Lambda
// function and `make local` both call it:
//
//	TABLE_NAME                 the keyward table (default keyward)
//	ACCOUNT_ID                 the account of the keys (key policy root statement); default: STS GetCallerIdentity
//	AWS_REGION                 region (set by Lambda)
//	KEYOPS_ENVIRONMENT         the only environment keys are created for (optional)
//	KEYOPS_GUARD_DAYS          N of the guardrails (default 30)
//	KEYOPS_SECRET_TTL          secret cache TTL (default 5m)
//	KEYOPS_DATAKEY_TTL         data-key cache TTL (default 5m)
//	KEYOPS_DATAKEY_MAX_MESSAGES messages per cached data key (default 100000)
//	KEYOPS_POLICY_SEED         JSON {"<principal ARN>": [{"actions":[…],"keys":[…],"secretPrefixes":[…]}]}
//	                           written to the table with BatchWriteItem at start (optional)
func NewFromEnv(ctx context.Context, cfg aws.Config, env func(string) string, log *slog.Logger) (*Handler, error) {
	tbl := env("TABLE_NAME")
	if tbl == "" {
		tbl = table.DefaultName
	}
	guard, err := intEnv(env, "KEYOPS_GUARD_DAYS", 30)
	if err != nil {
		return nil, err
	}
	secretTTL, err := durationEnv(env, "KEYOPS_SECRET_TTL", 5*time.Minute)
	if err != nil {
		return nil, err
	}
	dkTTL, err := durationEnv(env, "KEYOPS_DATAKEY_TTL", 5*time.Minute)
	if err != nil {
		return nil, err
	}
	maxMsgs, err := intEnv(env, "KEYOPS_DATAKEY_MAX_MESSAGES", 100_000)
	if err != nil {
		return nil, err
	}
	var seed map[string][]table.AuthzStatement
	if s := env("KEYOPS_POLICY_SEED"); s != "" {
		if err := json.Unmarshal([]byte(s), &seed); err != nil {
			return nil, fmt.Errorf("KEYOPS_POLICY_SEED: %w", err)
		}
	}
	account := env("ACCOUNT_ID")
	if account == "" { // the function's own account, as STS sees it
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("ACCOUNT_ID unset and STS GetCallerIdentity failed: %w", err)
		}
		account = aws.ToString(id.Account)
	}
	region := env("AWS_REGION")
	if region == "" {
		region = cfg.Region
	}
	db := dynamodb.NewFromConfig(cfg)
	kmsClient := kms.NewFromConfig(cfg)
	sm := secretsmanager.NewFromConfig(cfg)
	cache, err := secretcache.New(func(c *secretcache.Cache) {
		c.Client = sm
		c.CacheItemTTL = int64(secretTTL)
	})
	if err != nil {
		return nil, fmt.Errorf("secret cache: %w", err)
	}
	h, err := New(Config{AccountID: account, Region: region, GuardDays: guard, Environment: env("KEYOPS_ENVIRONMENT")}, Deps{
		KMS: kmsClient, SecretsManager: sm, Secrets: cache,
		Envelope: NewESDK(kmsClient, ESDKConfig{TTL: dkTTL, MaxMessages: uint64(maxMsgs)}),
		Audit:    FromAudit(audit.NewStore(db, audit.StoreConfig{Table: tbl})),
		DB:       db, Table: tbl, Logger: log, Metrics: os.Stdout,
	})
	if err != nil {
		return nil, err
	}
	if len(seed) > 0 {
		if err := h.SeedPolicies(ctx, seed); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func intEnv(env func(string) string, name string, def int) (int, error) {
	v := env(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive integer", name, v)
	}
	return n, nil
}

func durationEnv(env func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := env(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive duration", name, v)
	}
	return d, nil
}
