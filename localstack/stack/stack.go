package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/rotationfixture"
	"github.com/keyward/keyward/localstack/runtimeapi"
	"github.com/keyward/keyward/localstack/trail"
	"github.com/keyward/keyward/shared/keyops"
	"github.com/keyward/keyward/shared/naming"
)

// Audit paths: one per account (functions/audit/README.md).
const (
	AuditEventBridge = "eventbridge" // every CloudTrail event to audit, one per invocation
	AuditLogFiles    = "logfiles"    // CloudTrail log files in S3 → SQS batches of ObjectCreated
)

// Options configure a local stack. The zero value is `make local`'s defaults.
type Options struct {
	Addr    string // endpoint; default 127.0.0.1:4566 ("127.0.0.1:0": a free port)
	APIAddr string // keyops API; default 127.0.0.1:8080
	DataDir string // endpoint state; empty: in memory
	BinDir  string // where the bootstraps are built; required unless Bootstraps is set
	// Bootstraps are prebuilt bootstraps by function name; when nil Start builds
	// them from Root with BuildBootstraps.
	Bootstraps map[string]string
	Root       string // the repository; default RepoRoot()

	Env       naming.Env // default naming.LocalEnvironment
	AccountID string     // default 111122223333
	Region    string     // default us-east-1

	AuditPath   string        // AuditEventBridge (default) or AuditLogFiles
	AlarmEvery  time.Duration // alarms schedule; default 1m, negative: no schedule
	AlarmWindow time.Duration // ALARM_WINDOW; default 1m
	SecretTTL   time.Duration // KEYOPS_SECRET_TTL (the cached read); default 10s

	FunctionLogs io.Writer    // the functions' stdout/stderr; default os.Stderr
	Logger       *slog.Logger // the stack's own log; default discard
}

// Stack is a running local stack.
type Stack struct {
	Endpoint   *endpoint.Server
	APIURL     string // http://127.0.0.1:8080
	Functions  *runtimeapi.Registry
	Resources  Resources
	ColdStarts map[string]time.Duration // process start → first Runtime API poll
	Bootstraps map[string]string

	opts  Options
	log   *slog.Logger
	api   *http.Server
	stop  chan struct{}
	done  chan struct{}
	notes *notifier

	scheduled bool
}

func (o Options) withDefaults() (Options, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:4566"
	}
	if o.APIAddr == "" {
		o.APIAddr = "127.0.0.1:8080"
	}
	if o.Env == "" {
		o.Env = naming.LocalEnvironment
	}
	if o.AccountID == "" {
		o.AccountID = "111122223333"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	switch o.AuditPath {
	case "":
		o.AuditPath = AuditEventBridge
	case AuditEventBridge, AuditLogFiles:
	default:
		return o, fmt.Errorf("stack: audit path %q: want %q or %q", o.AuditPath, AuditEventBridge, AuditLogFiles)
	}
	if o.AlarmEvery == 0 {
		o.AlarmEvery = time.Minute
	}
	if o.AlarmWindow <= 0 {
		o.AlarmWindow = time.Minute
	}
	if o.SecretTTL <= 0 {
		o.SecretTTL = 10 * time.Second
	}
	if o.FunctionLogs == nil {
		o.FunctionLogs = os.Stderr
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Bootstraps == nil && o.BinDir == "" {
		return o, errors.New("stack: Options.BinDir or Options.Bootstraps is required")
	}
	return o, nil
}

// accessKey is the local access key a function signs with; the endpoint maps it
// to the function's role session, so CloudTrail names the function as caller.
func accessKey(fn string) string { return "ASIAKEYWARD" + fn }

// Start builds (unless given) the bootstraps, starts the endpoint with DynamoDB
// Local, provisions the environment's resources, starts the four functions
// (measuring each cold start), serves the keyops API and schedules alarms.
func Start(ctx context.Context, o Options) (st *Stack, err error) {
	o, err = o.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Stack{opts: o, log: o.Logger, Functions: runtimeapi.NewRegistry(), ColdStarts: map[string]time.Duration{},
		stop: make(chan struct{}), done: make(chan struct{})}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	// Building the bootstraps and starting DynamoDB Local (a JVM) are the slow
	// parts: they run side by side.
	built := make(chan error, 1)
	s.Bootstraps = o.Bootstraps
	if s.Bootstraps != nil {
		built <- nil
	} else {
		root := o.Root
		if root == "" {
			if root, err = RepoRoot(); err != nil {
				return nil, err
			}
		}
		s.log.Info("building the function bootstraps", "dir", o.BinDir)
		go func() {
			var err error
			s.Bootstraps, err = BuildBootstraps(ctx, root, o.BinDir)
			built <- err
		}()
	}
	waitBuilt := func() error {
		if built == nil {
			return nil
		}
		err := <-built
		built = nil
		return err
	}
	defer func() { _ = waitBuilt() }()

	ready := make(chan struct{}) // closed once the functions are registered
	defer func() {
		select {
		case <-ready:
		default:
			close(ready)
		}
	}()
	auditFn := o.Env.Function("audit")
	invokeAudit := func(ctx context.Context, payload []byte) ([]byte, error) {
		<-ready
		return s.Functions.Invoke(ctx, auditFn, payload)
	}
	principals := endpoint.DefaultPrincipals(o.AccountID)
	for _, fn := range naming.Functions {
		role := o.Env.FunctionRole(fn)
		principals[accessKey(fn)] = "arn:aws:sts::" + o.AccountID + ":assumed-role/" + role + "/" + o.Env.Function(fn)
	}
	eo := endpoint.Options{Addr: o.Addr, DataDir: o.DataDir, Region: o.Region, AccountID: o.AccountID,
		DynamoDB: true, WaitForDynamoDB: true, Principals: principals, Invoker: s.Functions, Logger: o.Logger}
	switch o.AuditPath {
	case AuditEventBridge:
		eo.TrailTargets = []trail.Target{trail.TargetFunc(func(ctx context.Context, event []byte) error {
			_, err := invokeAudit(ctx, event)
			return err
		})}
	case AuditLogFiles:
		s.notes = newNotifier(o.Region, o.AccountID, o.Env.Function("audit-trail-logs"), invokeAudit, s.log)
		eo.TrailBucket = o.Env.TrailBucket(o.AccountID)
		eo.Register = s.notes.register
	}
	if s.Endpoint, err = endpoint.Start(ctx, eo); err != nil {
		return nil, err
	}
	if err = waitBuilt(); err != nil {
		return nil, err
	}
	if s.Resources, err = Provision(ctx, s.AWSConfig(endpoint.DefaultAccessKeyID), o.Env, o.AccountID); err != nil {
		return nil, err
	}
	// The secret the rotation step fixtures name, for `make invoke FN=rotation`
	// (optional: it needs the machine's PostgreSQL).
	if err := rotationfixture.Ensure(ctx, secretsmanager.NewFromConfig(s.AWSConfig(endpoint.DefaultAccessKeyID)),
		rotationfixture.Options{FunctionARN: o.Env.Function("rotation")}); err != nil {
		s.log.Warn("stack: rotation fixture secret not staged; make invoke FN=rotation will fail", "err", err.Error())
	}
	if err = s.addFunctions(); err != nil {
		return nil, err
	}
	for _, fn := range naming.Functions {
		f, _ := s.Functions.Lookup(o.Env.Function(fn))
		d, err := f.Start(ctx)
		if err != nil {
			return nil, fmt.Errorf("stack: start %s: %w", fn, err)
		}
		s.ColdStarts[fn] = d
	}
	close(ready) // only now: the cold starts above are the functions' first
	s.Endpoint.HandleDebug("/_keyward/alarms/run", http.HandlerFunc(s.serveRunAlarms))
	if err = s.serveAPI(); err != nil {
		return nil, err
	}
	s.scheduled = true
	go s.schedule()
	return s, nil
}

// addFunctions registers the four functions with the environment the compute
// stack gives them.
func (s *Stack) addFunctions() error {
	o, r := s.opts, s.Resources
	seed, err := json.Marshal(keyops.LocalPolicies())
	if err != nil {
		return err
	}
	env := map[string][]string{
		"keyops": {"KEYOPS_ENVIRONMENT=" + string(o.Env), "KEYOPS_SECRET_TTL=" + o.SecretTTL.String(),
			"KEYOPS_POLICY_SEED=" + string(seed)},
		"audit":    {"AUDIT_CONTEXT_KEY_SECRET_ID=" + r.AuditSecretARN},
		"alarms":   {"ALARM_TOPIC_ARN=" + r.AlarmTopicARN, "ALARM_WINDOW=" + o.AlarmWindow.String()},
		"rotation": {},
	}
	timeouts := map[string]time.Duration{"keyops": 30 * time.Second, "audit": 60 * time.Second,
		"alarms": 60 * time.Second, "rotation": 60 * time.Second}
	for _, fn := range naming.Functions {
		path, ok := s.Bootstraps[fn]
		if !ok {
			return fmt.Errorf("stack: no bootstrap for %s", fn)
		}
		vars := append([]string{"AWS_ENDPOINT_URL=" + s.Endpoint.URL, "AWS_REGION=" + o.Region,
			"AWS_ACCESS_KEY_ID=" + accessKey(fn), "AWS_SECRET_ACCESS_KEY=local", "TABLE_NAME=" + r.Table,
			"ACCOUNT_ID=" + o.AccountID}, env[fn]...)
		f, err := runtimeapi.New(runtimeapi.Config{Name: o.Env.Function(fn), Path: path, Env: vars,
			Timeout: timeouts[fn], InitTimeout: 30 * time.Second, MemoryMB: 256, Region: o.Region,
			AccountID: o.AccountID, Stdout: o.FunctionLogs, Stderr: o.FunctionLogs})
		if err != nil {
			return err
		}
		s.Functions.Add(f)
	}
	return nil
}

// AWSConfig is an AWS SDK configuration for the endpoint, signing as accessKey
// (endpoint.DefaultAccessKeyID is the local developer).
func (s *Stack) AWSConfig(accessKey string) aws.Config {
	return aws.Config{Region: s.opts.Region, BaseEndpoint: aws.String(s.Endpoint.URL),
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, "local", "")}
}

// Where lists what runs where, for `make local` to print.
func (s *Stack) Where() []string {
	r := s.Resources
	lines := []string{
		"endpoint (KMS, Secrets Manager, DynamoDB, S3, SNS, STS)  " + s.Endpoint.URL,
		"keyops API (bootstrap behind the Runtime API)             " + s.APIURL,
		"SNS capture                                               " + s.Endpoint.URL + "/_keyward/sns/messages",
		"run alarms now (POST)                                     " + s.Endpoint.URL + "/_keyward/alarms/run",
		"table                                                     " + r.Table,
		"table key                                                 " + r.TableKeyAlias + " (" + r.TableKeyARN + ")",
		"alarm topic                                               " + r.AlarmTopicARN,
		"audit HMAC key secret                                     " + r.AuditSecretARN,
		"audit path                                                " + s.opts.AuditPath,
	}
	if s.opts.AuditPath == AuditLogFiles {
		lines = append(lines, "trail bucket (ObjectCreated → audit)                      "+r.TrailBucket)
	}
	names := s.Functions.Names()
	sort.Strings(names)
	for _, n := range names {
		f, _ := s.Functions.Lookup(n)
		lines = append(lines, fmt.Sprintf("function %-48s %s", n, f.ARN()))
	}
	return lines
}

// Close stops the schedule, the API, the functions and the endpoint.
func (s *Stack) Close() error {
	select {
	case <-s.stop:
		return nil
	default:
		close(s.stop)
	}
	if s.api != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.api.Shutdown(ctx)
		cancel()
	}
	if s.scheduled {
		<-s.done
	}
	if s.notes != nil {
		s.notes.close()
	}
	var err error
	if s.Endpoint != nil {
		err = s.Endpoint.Close()
	}
	_ = s.Functions.Close()
	return err
}

// listen binds addr for the API.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("stack: keyops API listen %s: %w", addr, err)
	}
	return ln, nil
}
