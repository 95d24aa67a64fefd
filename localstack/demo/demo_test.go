package demo_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/localstack/demo"
	"github.com/keyward/keyward/localstack/stack"
)

// TestDemo runs `make demo`'s walk headless against the whole stack started in
// process: the endpoint with DynamoDB Local, the four real bootstraps behind the
// local Runtime API, the keyops API through the keyops bootstrap, the CloudTrail
// tap into the audit bootstrap and the machine's PostgreSQL as rotation target.
// Each step is a subtest that checks what the step shows; the alarms run is
// asked for (the window holding now) instead of waiting for the minute.
func TestDemo(t *testing.T) {
	requireServices(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var logs strings.Builder
	st, err := stack.Start(ctx, stack.Options{
		Addr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", BinDir: t.TempDir(),
		AlarmEvery: -1, SecretTTL: 4 * time.Second, FunctionLogs: &lockedWriter{b: &logs},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for fn, d := range st.ColdStarts {
		t.Logf("cold start %s: %s", fn, d)
	}
	var narration strings.Builder
	w := demo.New(demo.Config{API: st.APIURL, Endpoint: st.Endpoint.URL, SecretTTL: 4 * time.Second, Out: &narration})
	for i, s := range demo.Steps() {
		ok := t.Run(s.Name, func(t *testing.T) {
			if err := w.RunStep(ctx, i, s); err != nil {
				t.Fatal(err)
			}
		})
		if !ok {
			t.Logf("narration:\n%s", narration.String())
			t.Logf("function logs (tail):\n%s", tail(logs.String(), 4000))
			t.FailNow()
		}
	}
	t.Logf("narration:\n%s", narration.String())
	if strings.Contains(logs.String(), string(w.Plaintext)) {
		t.Error("a function logged the demo plaintext")
	}
}

// requireServices skips without Java or PostgreSQL, and fails in CI.
func requireServices(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := ddblocal.Locate(); err != nil {
		missing = "DynamoDB Local (make tools): " + err.Error()
	}
	if missing == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		if err != nil {
			missing = "PostgreSQL on 127.0.0.1:5432: " + err.Error()
		} else {
			c.Close(ctx)
		}
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("TestDemo needs %s", missing)
	}
	t.Skipf("TestDemo needs %s", missing)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
