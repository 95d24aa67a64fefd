package audit

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/shared/table"
)

// DynamoDB Local is started on first use by an integration test (benchmarks and
// unit tests do not pay for the JVM) and stopped after the last test.
var (
	ddbOnce sync.Once
	ddbProc *ddblocal.Process
	ddb     *dynamodb.Client
	ddbErr  error
	tables  atomic.Int64
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	ddbProc.Stop()
	os.Exit(code)
}

func startDDB() {
	if testing.Short() {
		ddbErr = fmt.Errorf("-short")
		return
	}
	ddbProc, ddbErr = ddblocal.Start(context.Background(), ddblocal.Options{})
	if ddbErr == nil {
		ddb = dynamodb.New(dynamodb.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(ddbProc.URL),
			Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local", ""),
		})
	}
}

// needDB returns a client and a fresh table. Without DynamoDB Local the test
// fails under CI=true and is skipped (with the reason) elsewhere.
func needDB(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	ddbOnce.Do(startDDB)
	if ddb == nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("DynamoDB Local is required in CI: %v", ddbErr)
		}
		t.Skipf("DynamoDB Local not available (%v): run `make tools`", ddbErr)
	}
	name := fmt.Sprintf("audit-test-%d", tables.Add(1))
	if _, err := ddb.CreateTable(context.Background(), table.CreateTableInput(name)); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return ddb, name
}

// snapshot returns every item of a table as sorted JSON lines, leaving out what
// depends on the wall clock (markers' applied time and TTL). Test-only Scan.
func snapshot(t testing.TB, db *dynamodb.Client, name string) []string {
	t.Helper()
	var out []string
	in := &dynamodb.ScanInput{TableName: aws.String(name)}
	for {
		page, err := db.Scan(context.Background(), in)
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		for _, it := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				t.Fatal(err)
			}
			if m["type"] == table.TypeAuditMarker {
				delete(m, "applied")
				delete(m, "ttl")
			}
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var sb strings.Builder
			for _, k := range keys {
				v := m[k]
				if k == "minutes" || k == "ops" || k == "failedOps" { // string sets: order-free
					ss := strings.Fields(strings.Trim(fmt.Sprint(v), "[]"))
					sort.Strings(ss)
					v = ss
				}
				fmt.Fprintf(&sb, "%s=%v ", k, v)
			}
			out = append(out, sb.String())
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	sort.Strings(out)
	return out
}
