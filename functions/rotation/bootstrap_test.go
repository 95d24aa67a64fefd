package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	driver "github.com/go-sql-driver/mysql"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/localstack/runtimeapi"
	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
	"github.com/keyward/keyward/shared/table"
)

// The tests below run the function as Lambda does — the real bootstrap, built
// for this machine, behind the local Lambda Runtime API (what `make invoke` uses)
// — with the local endpoint's RotateSecret driving it and the machine's MariaDB
// as the target.

var bootstrap struct {
	once sync.Once
	path string
	err  error
}

func buildBootstrap(t *testing.T) string {
	t.Helper()
	bootstrap.once.Do(func() {
		// One fixed place, overwritten by every run, so nothing accumulates.
		dir := filepath.Join(os.TempDir(), "keyward-rotation-bootstrap")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			bootstrap.err = err
			return
		}
		bootstrap.path = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrap.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			bootstrap.err = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	if bootstrap.err != nil {
		t.Fatal(bootstrap.err)
	}
	return bootstrap.path
}

// bootstrapHandler starts the bootstrap with the endpoint of c in its environment.
func bootstrapHandler(t *testing.T, c rotationtest.Client, logs io.Writer) lambda.Handler {
	bin := buildBootstrap(t)
	url := aws.ToString(c.(*secretsmanager.Client).Options().BaseEndpoint)
	f, err := runtimeapi.New(runtimeapi.Config{
		Name: "keyward-rotation", Path: bin, Timeout: 60 * time.Second, InitTimeout: 30 * time.Second,
		Env: []string{"AWS_ENDPOINT_URL=" + url, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=" + endpoint.DefaultAccessKeyID,
			"AWS_SECRET_ACCESS_KEY=local-secret", "TABLE_NAME=" + table.DefaultName,
			"PASSWORD_EXCLUDE_CHARACTERS=", // every character allowed back in
			"AWS_LAMBDA_LOG_FORMAT=JSON"},
		Stdout: logs, Stderr: logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// mariadb is the machine's MariaDB as root (no password).
func mariadb(t *testing.T) *sql.DB {
	t.Helper()
	cfg := driver.NewConfig()
	cfg.User, cfg.Net, cfg.Addr, cfg.Timeout = "root", "tcp", "127.0.0.1:3306", 5*time.Second
	cfg.InterpolateParams = true
	conn, err := driver.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	if err := db.Ping(); err != nil {
		t.Fatalf("MariaDB at 127.0.0.1:3306 unavailable: %v", err)
	}
	return db
}

var userSeq atomic.Int64

// mariadbTarget provisions single-user MariaDB secrets.
func mariadbTarget(t *testing.T) rotationtest.Target {
	root := mariadb(t)
	t.Cleanup(func() { root.Close() })
	return rotationtest.Target{
		NewSecret: func(t *testing.T, _ rotationtest.Client, prefix string) string {
			user := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid()%100000, userSeq.Add(1))
			if _, err := root.Exec("CREATE USER ?@'%' IDENTIFIED BY ?", user, "initial-pw-"+user); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _, _ = root.Exec("DROP USER IF EXISTS ?@'%'", user) })
			s, _ := rotation.Secret{"engine": "mariadb", "host": "127.0.0.1", "port": 3306, "username": user, "password": "initial-pw-" + user}.Encode()
			return s
		},
		Login: func(ctx context.Context, s rotation.Secret) error {
			d, err := rotation.ParseDBSecret(s, 3306)
			if err != nil {
				return err
			}
			cfg := driver.NewConfig()
			cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = d.Username, d.Password, "tcp", net.JoinHostPort(d.Host, fmt.Sprint(d.Port))
			conn, err := driver.NewConnector(cfg)
			if err != nil {
				return err
			}
			db := sql.OpenDB(conn)
			defer db.Close()
			return db.PingContext(ctx)
		},
		Unreachable: func(t *testing.T, _ rotationtest.Client, prefix string) string {
			l, _ := net.Listen("tcp", "127.0.0.1:0")
			port := l.Addr().(*net.TCPAddr).Port
			l.Close()
			s, _ := rotation.Secret{"engine": "mariadb", "host": "127.0.0.1", "port": port, "username": prefix, "password": "initial-pw-x"}.Encode()
			return s
		},
		Usernames: []string{"kw_boot", `Kw "O'B\x`},
		NoHostile: true,
	}
}

// TestBootstrapMatrix runs the failure matrix through the real bootstrap.
func TestBootstrapMatrix(t *testing.T) {
	rotationtest.RunMatrixWith(t, rotationtest.EndpointBackend, mariadbTarget(t), bootstrapHandler)
}

// TestBootstrapLedgerAndMetrics: one rotation through the bootstrap writes the
// ledger into the table (DynamoDB Local behind the endpoint) and EMF lines on stdout.
func TestBootstrapLedgerAndMetrics(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	var h lambda.Handler
	inv := invokerFunc(func(ctx context.Context, payload []byte) ([]byte, error) { return h.Invoke(ctx, payload) })
	srv := endpointtest.StartWith(t, endpoint.Options{DynamoDB: true, Invoker: inv})
	cfg := endpointtest.Config(srv, "")
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.CreateTable(ctx, table.CreateTableInput(table.DefaultName)); err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	h = bootstrapHandler(t, sm, &logs)
	tgt := mariadbTarget(t)
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/mariadb"), SecretString: aws.String(tgt.NewSecret(t, sm, "kw_ledger"))})
	if err != nil {
		t.Fatal(err)
	}
	rotationtest.Rotate(t, sm, "app/mariadb")
	cur, _ := rotation.ParseSecret(rotationtest.Current(t, sm, "app/mariadb"))
	if err := tgt.Login(ctx, cur); err != nil {
		t.Fatalf("AWSCURRENT does not log in: %v", err)
	}
	items, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table.DefaultName),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: table.RotationPK(aws.ToString(out.ARN))}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(items.Items) != 5 { // four steps and the status item
		t.Fatalf("ledger has %d items for the secret, want 5:\n%s", len(items.Items), logs.String())
	}
	if !strings.Contains(logs.String(), `"RotationSucceeded":1`) || !strings.Contains(logs.String(), `"Strategy":"mysql-single"`) {
		t.Fatalf("no RotationSucceeded EMF line:\n%s", logs.String())
	}
	if pw, _ := cur.String("password"); strings.Contains(logs.String(), pw) {
		t.Fatal("the new password is in the function's output")
	}
}

type invokerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, _ string, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

var _ awsapi.Invoker = invokerFunc(nil)

func TestMain(m *testing.M) { endpointtest.Main(m) }
