// Command demo walks keyward's story against `make local` (`make demo`): create
// a key → encrypt/decrypt through the API → deletion refused (in use) → disable
// → a Decrypt fails → the alarm fires in the SNS capture → rotate a PostgreSQL
// secret → the cached read returns the new value after its TTL → "who decrypted
// this key?". Each step checks what it shows; the first failure exits 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/keyward/keyward/localstack/demo"
	"github.com/keyward/keyward/shared/naming"
)

func main() {
	var c demo.Config
	var env string
	flag.StringVar(&c.API, "api", "http://127.0.0.1:8080", "keyops API of make local")
	flag.StringVar(&c.Endpoint, "endpoint", "http://127.0.0.1:4566", "local AWS endpoint of make local")
	flag.StringVar(&env, "env", naming.LocalEnvironment, "environment make local plays")
	flag.StringVar(&c.Postgres, "postgres", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL administrator connection (creates the demo's database user)")
	flag.DurationVar(&c.SecretTTL, "secret-ttl", 10*time.Second, "keyops secret cache TTL of make local (-secret-ttl there)")
	flag.BoolVar(&c.WaitForSchedule, "wait-schedule", false, "wait for the per-minute alarms run instead of asking for one")
	flag.Parse()
	c.Env, c.Out = naming.Env(env), os.Stdout

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := demo.New(c).Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		fmt.Fprintf(os.Stderr, "demo: is `make local` running (%s, %s)? its function logs are in .build/local/functions.log\n", c.API, c.Endpoint)
		os.Exit(1)
	}
}
