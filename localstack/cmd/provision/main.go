// Command provision creates keyward's resources on a local endpoint, the way the
// stateful stack defines them: the one table from shared/table with TTL on
// `ttl`, and the rotation fixture secret (localstack/rotationfixture: the secret
// events/secretsmanager-rotation-*.json name, on a PostgreSQL role on 127.0.0.1,
// rotation enabled, the fixtures' token staged AWSPENDING). It is idempotent and
// waits up to -wait for the endpoint to answer.
//
//	provision -endpoint http://127.0.0.1:4566            # the table on a running endpoint
//	provision -serve-dynamodb-local 127.0.0.1:4566       # DynamoDB Local alone, provisioned, until Ctrl-C
//
// `make local-up` runs it; it is the fallback while the full endpoint is absent.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/localstack/rotationfixture"
	"github.com/keyward/keyward/shared/naming"
	"github.com/keyward/keyward/shared/table"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "provision:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("provision", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1:4566", "AWS endpoint URL")
	tableName := fs.String("table", envOr("TABLE_NAME", table.DefaultName), "table name")
	serve := fs.String("serve-dynamodb-local", "", "start DynamoDB Local on this host:port, provision it and stay up")
	dataDir := fs.String("data-dir", "", "with -serve-dynamodb-local: keep data in this folder (default: in memory)")
	wait := fs.Duration("wait", 60*time.Second, "how long to wait for the endpoint")
	quiet := fs.Bool("quiet", false, "print nothing on success")
	fixture := fs.Bool("rotation-fixture", true, "stage the secret the rotation step fixtures name (needs PostgreSQL on 127.0.0.1:5432)")
	pgURL := fs.String("postgres", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "with -rotation-fixture: superuser URL that creates the fixture's role")
	rotationFn := fs.String("rotation-function", "arn:aws:lambda:"+envOr("AWS_REGION", "us-east-1")+":111122223333:function:"+
		naming.Env(naming.LocalEnvironment).Function("rotation"), "with -rotation-fixture: the function rotation is enabled with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serve != "" {
		return serveDynamoDBLocal(ctx, *serve, *dataDir, *tableName)
	}
	client := newClient(*endpoint)
	if err := waitForEndpoint(ctx, client, *endpoint, *wait); err != nil {
		return err
	}
	created, err := ensureTable(ctx, client, *tableName)
	if err != nil {
		return err
	}
	if !*quiet {
		state := "exists"
		if created {
			state = "created"
		}
		fmt.Printf("provision: table %s %s on %s\n", *tableName, state, *endpoint)
	}
	if *fixture {
		err := rotationfixture.Ensure(ctx, newSecretsClient(*endpoint), rotationfixture.Options{PostgresURL: *pgURL, FunctionARN: *rotationFn})
		switch {
		case err != nil: // the table is what everything needs; the fixture is for `make invoke FN=rotation`
			fmt.Fprintf(os.Stderr, "provision: rotation fixture secret not staged (make invoke FN=rotation will fail): %v\n", err)
		case !*quiet:
			fmt.Printf("provision: rotation fixture secret %s staged (token %s)\n", rotationfixture.SecretName, rotationfixture.Token)
		}
	}
	return nil
}

func newSecretsClient(endpoint string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       envOr("AWS_REGION", "us-east-1"),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

func newClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       envOr("AWS_REGION", "us-east-1"),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

func waitForEndpoint(ctx context.Context, c *dynamodb.Client, endpoint string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		_, err := c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no DynamoDB answer on %s within %s: %w", endpoint, wait, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ensureTable creates the table and turns TTL on; an existing table is left as is.
func ensureTable(ctx context.Context, c *dynamodb.Client, name string) (bool, error) {
	_, err := c.CreateTable(ctx, table.CreateTableInput(name))
	var inUse *ddbtypes.ResourceInUseException
	switch {
	case errors.As(err, &inUse):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("create table %s: %w", name, err)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{
			AttributeName: aws.String(table.AttrTTL), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return true, fmt.Errorf("enable TTL on %s: %w", name, err)
	}
	return true, nil
}

func serveDynamoDBLocal(ctx context.Context, addr, dataDir, tableName string) error {
	_, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-serve-dynamodb-local %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("-serve-dynamodb-local %q: bad port", addr)
	}
	p, err := ddblocal.Start(ctx, ddblocal.Options{Port: port, DataDir: dataDir})
	if err != nil {
		return err
	}
	defer p.Stop()
	client := newClient(p.URL)
	if err := waitForEndpoint(ctx, client, p.URL, 60*time.Second); err != nil {
		return err
	}
	if _, err := ensureTable(ctx, client, tableName); err != nil {
		return err
	}
	fmt.Printf("provision: DynamoDB Local on %s with table %s; Ctrl-C or SIGTERM stops it\n", p.URL, tableName)
	<-ctx.Done()
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
