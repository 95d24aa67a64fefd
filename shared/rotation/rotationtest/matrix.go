package rotationtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/shared/rotation"
)

// Client is what the failure matrix needs from Secrets Manager: the rotation
// function's calls plus the ones a test drives. Both the fake and the SDK client
// against the local endpoint satisfy it.
type Client interface {
	rotation.SecretsManager
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	RotateSecret(ctx context.Context, in *secretsmanager.RotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error)
	CancelRotateSecret(ctx context.Context, in *secretsmanager.CancelRotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CancelRotateSecretOutput, error)
}

// Backend gives each test a Secrets Manager whose RotateSecret invokes the
// function named FunctionName through inv.
type Backend func(t *testing.T, inv awsapi.Invoker) Client

// FunctionName is the rotation function's name the matrix registers.
const FunctionName = "arn:aws:lambda:us-east-1:111122223333:function:keyward-rotation"

// FakeBackend is the in-memory backend.
func FakeBackend(t *testing.T, inv awsapi.Invoker) Client { return New(inv) }

// Target is one strategy under test.
type Target struct {
	// NewSecret provisions fresh credentials (and any master secret, created
	// through c) for username and returns the secret's JSON.
	NewSecret func(t *testing.T, c Client, username string) string
	// Login returns nil when the secret's credentials log in.
	Login func(ctx context.Context, s rotation.Secret) error
	// Unreachable provisions a secret (and any master secret) whose target
	// cannot be reached, and returns its JSON.
	Unreachable func(t *testing.T, c Client, username string) string
	// Usernames to run the rotation with, including ones that need quoting.
	Usernames []string
	// Alternating: the previous user keeps working until the next rotation;
	// otherwise the old password must stop working.
	Alternating bool
	// NoPasswords: the strategy does not use GetRandomPassword (API keys).
	NoPasswords bool
	// NoHostile skips the hostile-password case (for handlers whose Secrets
	// Manager client the test cannot wrap).
	NoHostile bool
}

// NewRotator builds the function under test on a Secrets Manager client.
type NewRotator func(sm rotation.SecretsManager, log *slog.Logger) *rotation.Rotator

// invoker runs the rotation handler through the Lambda handler path, with hooks
// that simulate crashes and duplicate deliveries.
type invoker struct {
	mu        sync.Mutex
	h         lambda.Handler
	killAfter string // return an error after running this step once
	killed    bool
	duplicate bool
	during    map[string]func(ctx context.Context)
	calls     []string
	lastErr   error // the function's last error, as the Lambda service would log it
}

func (i *invoker) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	if fn != FunctionName {
		return nil, fmt.Errorf("no function %q", fn)
	}
	var ev events.SecretsManagerSecretRotationEvent
	_ = json.Unmarshal(payload, &ev)
	i.mu.Lock()
	i.calls = append(i.calls, ev.Step)
	hook := i.during[ev.Step]
	i.mu.Unlock()
	if hook != nil {
		hook(ctx)
	}
	out, err := i.h.Invoke(ctx, payload)
	if err != nil {
		i.mu.Lock()
		i.lastErr = err
		i.mu.Unlock()
		return nil, err
	}
	if i.duplicate {
		if out, err = i.h.Invoke(ctx, payload); err != nil {
			return nil, fmt.Errorf("duplicate delivery: %w", err)
		}
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if ev.Step == i.killAfter && !i.killed {
		i.killed = true
		return nil, errors.New("simulated crash after " + ev.Step)
	}
	return out, nil
}

type harness struct {
	t     *testing.T
	c     Client
	inv   *invoker
	logs  *bytes.Buffer
	ctx   context.Context
	seen  map[string]bool // every password value seen, to check logs and errors
	tgt   Target
	newPw func() string
}

// HandlerFactory builds the function under test as a lambda.Handler on a
// Secrets Manager client; logs receives its log lines (checked for leaks).
type HandlerFactory func(t *testing.T, c Client, logs io.Writer) lambda.Handler

// InProcess turns a NewRotator into a HandlerFactory running the handler in
// this process through lambda.NewHandler, as the Lambda runtime does.
func InProcess(nr NewRotator) HandlerFactory {
	return func(_ *testing.T, c Client, logs io.Writer) lambda.Handler {
		log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		return lambda.NewHandler(nr(c, log).Handle)
	}
}

func newHarness(t *testing.T, b Backend, tgt Target, hf HandlerFactory, wrap func(Client) Client) *harness {
	logs := &bytes.Buffer{}
	h := &harness{t: t, inv: &invoker{during: map[string]func(context.Context){}}, logs: logs, ctx: context.Background(), seen: map[string]bool{}, tgt: tgt}
	h.c = b(t, h.inv)
	if wrap != nil {
		h.c = wrap(h.c)
	}
	h.inv.h = hf(t, h.c, &lockedWriter{w: logs})
	return h
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var seq struct {
	sync.Mutex
	n int
}

func uniqueName(prefix string) string {
	seq.Lock()
	defer seq.Unlock()
	seq.n++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, seq.n)
}

func (h *harness) create(username string) string {
	h.t.Helper()
	name := uniqueName("rotation-matrix")
	val := h.tgt.NewSecret(h.t, h.c, username)
	if _, err := h.c.CreateSecret(h.ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(val)}); err != nil {
		h.t.Fatalf("CreateSecret: %v", err)
	}
	h.note(val)
	return name
}

// note remembers the secret material of a value.
func (h *harness) note(val string) {
	s, err := rotation.ParseSecret(val)
	if err != nil {
		return
	}
	for _, k := range []string{"password", "apikey"} {
		if v, _ := s.String(k); len(v) >= 6 {
			h.seen[v] = true
		}
	}
}

// rotate starts a rotation and reports whether it completed: RotateSecret, like
// AWS, returns before (or without reporting) a failing step, so completion is
// read from the version stages.
func (h *harness) rotate(name string) error {
	out, err := h.c.RotateSecret(h.ctx, &secretsmanager.RotateSecretInput{
		SecretId: aws.String(name), RotationLambdaARN: aws.String(FunctionName),
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
	})
	if err != nil {
		return err
	}
	defer h.noteAll(name)
	return h.completed(name, aws.ToString(out.VersionId))
}

func (h *harness) completed(name, token string) error {
	d, err := h.c.DescribeSecret(h.ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		return err
	}
	if stages := d.VersionIdsToStages[token]; !slices.Contains(stages, rotation.StageCurrent) {
		h.inv.mu.Lock()
		defer h.inv.mu.Unlock()
		return fmt.Errorf("rotation did not complete: version %s has stages %v; function error: %v", token, stages, h.inv.lastErr)
	}
	return nil
}

// reattempt does what Secrets Manager does after a failed rotation: it invokes
// the four steps again with the token still labelled AWSPENDING.
func (h *harness) reattempt(name string) error {
	_, err := h.c.RotateSecret(h.ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(name)})
	var ir *smtypes.InvalidRequestException
	if !errors.As(err, &ir) {
		return fmt.Errorf("RotateSecret after a failed rotation: got %v, want InvalidRequestException (rotation in progress)", err)
	}
	d, err := h.c.DescribeSecret(h.ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		return err
	}
	token := ""
	for id, stages := range d.VersionIdsToStages {
		if slices.Contains(stages, rotation.StagePending) && !slices.Contains(stages, rotation.StageCurrent) {
			token = id
		}
	}
	if token == "" {
		return errors.New("no AWSPENDING version to reattempt")
	}
	for _, step := range rotation.Steps {
		if err := h.invokeStep(name, string(step), token); err != nil {
			return fmt.Errorf("reattempt %s: %w", step, err)
		}
	}
	defer h.noteAll(name)
	return h.completed(name, token)
}

func (h *harness) get(name, stage string) (rotation.Secret, string) {
	h.t.Helper()
	out, err := h.c.GetSecretValue(h.ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String(stage)})
	if err != nil {
		h.t.Fatalf("GetSecretValue %s: %v", stage, err)
	}
	s, err := rotation.ParseSecret(aws.ToString(out.SecretString))
	if err != nil {
		h.t.Fatal(err)
	}
	h.note(aws.ToString(out.SecretString))
	return s, aws.ToString(out.VersionId)
}

func (h *harness) noteAll(name string) {
	for _, st := range []string{rotation.StageCurrent, rotation.StagePrevious, rotation.StagePending} {
		if out, err := h.c.GetSecretValue(h.ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String(st)}); err == nil {
			h.note(aws.ToString(out.SecretString))
		}
	}
}

func (h *harness) mustLogin(what string, s rotation.Secret) {
	h.t.Helper()
	if err := h.tgt.Login(h.ctx, s); err != nil {
		h.t.Fatalf("%s does not log in: %v", what, err)
	}
}

func (h *harness) mustNotLogin(what string, s rotation.Secret) {
	h.t.Helper()
	if err := h.tgt.Login(h.ctx, s); err == nil {
		h.t.Fatalf("%s still logs in", what)
	}
}

// checkLeaks fails if any secret material seen appears in the logs or in msg.
func (h *harness) checkLeaks(msgs ...string) {
	h.t.Helper()
	all := h.logs.String() + strings.Join(msgs, "\n")
	for pw := range h.seen {
		if strings.Contains(all, pw) {
			h.t.Fatalf("secret material leaked into logs or errors")
		}
		if b, _ := json.Marshal(pw); strings.Contains(all, string(b[1:len(b)-1])) {
			h.t.Fatalf("secret material (JSON-escaped) leaked into logs or errors")
		}
	}
}

func (h *harness) invokeStep(name, step, token string) error {
	out, err := h.c.DescribeSecret(h.ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		h.t.Fatal(err)
	}
	payload, _ := json.Marshal(events.SecretsManagerSecretRotationEvent{Step: step, SecretID: aws.ToString(out.ARN), ClientRequestToken: token})
	_, err = h.inv.Invoke(h.ctx, FunctionName, payload)
	return err
}

// HandlerInvoker invokes r through the Lambda handler path for FunctionName.
func HandlerInvoker(r *rotation.Rotator) awsapi.Invoker {
	return &invoker{h: lambda.NewHandler(r.Handle), during: map[string]func(context.Context){}}
}

// Rotate runs RotateSecret with FunctionName and fails the test unless the
// rotation completed.
func Rotate(t *testing.T, c Client, secretID string) {
	t.Helper()
	out, err := c.RotateSecret(context.Background(), &secretsmanager.RotateSecretInput{
		SecretId: aws.String(secretID), RotationLambdaARN: aws.String(FunctionName),
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
	})
	if err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	d, err := c.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		t.Fatal(err)
	}
	if stages := d.VersionIdsToStages[aws.ToString(out.VersionId)]; !slices.Contains(stages, rotation.StageCurrent) {
		t.Fatalf("rotation did not complete: version stages %v", stages)
	}
}

// Current returns the AWSCURRENT SecretString.
func Current(t *testing.T, c Client, secretID string) string {
	t.Helper()
	out, err := c.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID), VersionStage: aws.String(rotation.StageCurrent)})
	if err != nil {
		t.Fatalf("GetSecretValue: %v", err)
	}
	return aws.ToString(out.SecretString)
}
