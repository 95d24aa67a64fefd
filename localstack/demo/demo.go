package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/keyward/keyward/shared/keyops"
	"github.com/keyward/keyward/shared/naming"
)

// Config points the walk at a running stack.
type Config struct {
	API      string // keyops API, e.g. http://127.0.0.1:8080
	Endpoint string // local AWS endpoint, e.g. http://127.0.0.1:4566
	Env      naming.Env
	Account  string
	Region   string
	// Postgres is the administrator connection used to create the demo's database
	// user (the rotation target); default postgres://postgres@127.0.0.1:5432/postgres.
	Postgres string
	// SecretTTL is keyops' secret cache TTL (KEYOPS_SECRET_TTL of the stack).
	SecretTTL time.Duration
	// WaitForSchedule waits for the stack's own per-minute alarms run instead of
	// asking for one at POST /_keyward/alarms/run.
	WaitForSchedule bool
	// Suffix makes the demo's names unique (several walks against one stack);
	// default random.
	Suffix string
	Out    io.Writer // narration; default io.Discard
}

func (c Config) withDefaults() Config {
	if c.API == "" {
		c.API = "http://127.0.0.1:8080"
	}
	if c.Endpoint == "" {
		c.Endpoint = "http://127.0.0.1:4566"
	}
	if c.Env == "" {
		c.Env = naming.LocalEnvironment
	}
	if c.Account == "" {
		c.Account = "111122223333"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Postgres == "" {
		c.Postgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	if c.SecretTTL <= 0 {
		c.SecretTTL = 10 * time.Second
	}
	if c.Suffix == "" {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		c.Suffix = hex.EncodeToString(b)
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	return c
}

// Step is one step of the walk.
type Step struct {
	Name string
	Run  func(w *Walk, ctx context.Context) error
}

// Walk is the state carried from step to step.
type Walk struct {
	cfg   Config
	api   api
	aws   aws.Config
	start time.Time

	Alias      string // alias/demo-orders-<suffix>
	KeyARN     string
	Plaintext  []byte
	Ciphertext string
	Secret     string // demo/<suffix>/db
	DBUser     string
	OldValue   string
	NewValue   string
	Alarm      string // the SNS message that reported the disabled key
	Decrypters map[string]int64
}

// New prepares a walk.
func New(c Config) *Walk {
	c = c.withDefaults()
	return &Walk{
		cfg: c,
		api: api{base: c.API, principal: keyops.LocalDeveloper, http: &http.Client{Timeout: 90 * time.Second}},
		aws: aws.Config{Region: c.Region, BaseEndpoint: aws.String(c.Endpoint),
			Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local", "")},
		Alias:  "alias/demo-orders-" + c.Suffix,
		Secret: "demo/" + c.Suffix + "/db",
		DBUser: "keyward_demo_" + c.Suffix,
	}
}

// Steps is the story, in order.
func Steps() []Step {
	return []Step{
		{"create a key through the API", (*Walk).createKey},
		{"encrypt and decrypt through the API", (*Walk).encryptDecrypt},
		{"schedule its deletion: refused, the key is in use", (*Walk).deletionRefused},
		{"disable the key (force, with a reason)", (*Walk).disable},
		{"a Decrypt with the disabled key fails", (*Walk).decryptFails},
		{"the alarm fires and the SNS capture shows it", (*Walk).alarmFires},
		{"rotate a PostgreSQL secret through RotateSecret", (*Walk).rotateSecret},
		{"the cached read returns the new value after its TTL", (*Walk).cachedRead},
		{"the audit store answers: who decrypted this key?", (*Walk).whoDecrypted},
	}
}

// Run walks every step, narrating; it stops at the first failure.
func (w *Walk) Run(ctx context.Context) error {
	w.start = time.Now().Add(-time.Minute)
	for i, s := range Steps() {
		if err := w.RunStep(ctx, i, s); err != nil {
			return err
		}
	}
	fmt.Fprintf(w.cfg.Out, "demo: all %d steps passed in %s\n", len(Steps()), time.Since(w.start.Add(time.Minute)).Round(time.Millisecond))
	return nil
}

// RunStep runs step i (TestDemo runs each as a subtest).
func (w *Walk) RunStep(ctx context.Context, i int, s Step) error {
	if w.start.IsZero() {
		w.start = time.Now().Add(-time.Minute)
	}
	fmt.Fprintf(w.cfg.Out, "\n%d. %s\n", i+1, s.Name)
	t0 := time.Now()
	if err := s.Run(w, ctx); err != nil {
		fmt.Fprintf(w.cfg.Out, "   FAILED: %v\n", err)
		return fmt.Errorf("demo step %d (%s): %w", i+1, s.Name, err)
	}
	fmt.Fprintf(w.cfg.Out, "   ok (%s)\n", time.Since(t0).Round(time.Millisecond))
	return nil
}

func (w *Walk) say(format string, args ...any) {
	fmt.Fprintf(w.cfg.Out, "   "+format+"\n", args...)
}

func (w *Walk) shortAlias() string { return w.Alias[len("alias/"):] }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
