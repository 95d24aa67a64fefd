package mysql

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

// The machine's MariaDB: root without a password on 127.0.0.1:3306. Tests create
// users and databases with unique names and drop them.
var rootSecret = rotation.DBSecret{Engine: "mariadb", Host: "127.0.0.1", Port: 3306, Username: "root"}

var serverErr error

func TestMain(m *testing.M) {
	if h := os.Getenv("MYSQL_TEST_HOST"); h != "" {
		rootSecret.Host = h
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	serverErr = login(ctx, rootSecret, Options{})
	cancel()
	if serverErr != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "FAIL: MariaDB/MySQL at %s:%d unavailable: %v\n", rootSecret.Host, rootSecret.Port, serverErr)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "MariaDB/MySQL unavailable (%v); database tests will fail\n", serverErr)
	}
	os.Exit(m.Run())
}

func root(t testing.TB) *session {
	t.Helper()
	if serverErr != nil {
		t.Fatalf("MariaDB/MySQL unavailable: %v", serverErr)
	}
	s, err := connect(context.Background(), rootSecret, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func rootExec(t testing.TB, stmt string, args ...any) {
	t.Helper()
	s := root(t)
	defer s.Close()
	if _, err := s.conn.ExecContext(context.Background(), stmt, args...); err != nil {
		t.Fatalf("root: %s: %v", stmt, err)
	}
}

var seq atomic.Int64

func uniqueUser(prefix string) string {
	return fmt.Sprintf("%s%d_%d", prefix, os.Getpid()%100000, seq.Add(1))
}

// newUser creates user@'%' with a password, grants it a fresh database, and
// drops both (and the clone) when the test ends.
func newUser(t *testing.T, prefix string) (user, db string) {
	user = uniqueUser(prefix)
	db = uniqueUser("kw_rot_db")
	rootExec(t, "CREATE DATABASE `"+db+"`")
	rootExec(t, "CREATE USER ?@'%' IDENTIFIED BY ?", user, "initial-pw-"+user)
	rootExec(t, "GRANT ALL ON `"+db+"`.* TO "+quoteAccount(user, "%"))
	t.Cleanup(func() {
		s, err := connect(context.Background(), rootSecret, Options{})
		if err != nil {
			return
		}
		defer s.Close()
		_, _ = s.conn.ExecContext(context.Background(), "DROP USER IF EXISTS ?@'%', ?@'%'", user, user+CloneSuffix)
		_, _ = s.conn.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`")
	})
	return user, db
}

func dbSecret(d rotation.DBSecret) rotation.Secret {
	s := rotation.Secret{"engine": d.Engine, "host": d.Host, "port": d.Port, "username": d.Username, "password": d.Password, "dbname": d.DBName}
	if d.MasterARN != "" {
		s["masterarn"] = d.MasterARN
	}
	return s
}

func encode(t *testing.T, s rotation.Secret) string {
	t.Helper()
	str, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return str
}

func loginSecret(ctx context.Context, s rotation.Secret) error {
	d, err := rotation.ParseDBSecret(s, DefaultPort)
	if err != nil {
		return err
	}
	return login(ctx, d, Options{})
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 1
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func createMaster(t *testing.T, c rotationtest.Client, m rotation.DBSecret) string {
	out, err := c.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(uniqueUser("mysql-master-")), SecretString: aws.String(encode(t, dbSecret(m))),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ARN)
}

func target(alternating bool) rotationtest.Target {
	return rotationtest.Target{
		NewSecret: func(t *testing.T, c rotationtest.Client, prefix string) string {
			user, db := newUser(t, prefix)
			d := rootSecret
			d.Username, d.Password, d.DBName = user, "initial-pw-"+user, db
			if alternating {
				d.MasterARN = createMaster(t, c, rootSecret)
			}
			return encode(t, dbSecret(d))
		},
		Unreachable: func(t *testing.T, c rotationtest.Client, prefix string) string {
			d := rootSecret
			d.Port = freePort()
			m := d
			d.Username, d.Password = uniqueUser(prefix), "initial-pw"
			if alternating {
				d.MasterARN = createMaster(t, c, m)
			}
			return encode(t, dbSecret(d))
		},
		Login:       loginSecret,
		Usernames:   []string{"kw_app", `Kw "O'B\x`, "kw_ü"},
		Alternating: alternating,
	}
}

func newRotator(strategy rotation.Strategy) rotationtest.NewRotator {
	return func(sm rotation.SecretsManager, log *slog.Logger) *rotation.Rotator {
		return &rotation.Rotator{SM: sm, Passwords: rotation.DefaultPasswordPolicy(), Log: log,
			Select: func(rotation.Secret) (rotation.Strategy, error) { return strategy, nil }}
	}
}

func TestSingleUserMatrix(t *testing.T) {
	rotationtest.RunMatrix(t, backend, target(false), newRotator(NewSingle(Options{})))
}

func TestAlternatingUsersMatrix(t *testing.T) {
	rotationtest.RunMatrix(t, backend, target(true), newRotator(NewAlternating(Options{})))
}

// TestCopyUserCarriesRequireAndGrants: the clone gets REQUIRE X509 (the server
// here has no TLS, so this is checked on the account, not by logging in), the
// resource limit and every grant, but not the user's password hash.
func TestCopyUserCarriesRequireAndGrants(t *testing.T) {
	ctx := context.Background()
	user, db := newUser(t, "kw_req")
	rootExec(t, "ALTER USER "+quoteAccount(user, "%")+" REQUIRE X509 WITH MAX_QUERIES_PER_HOUR 7")
	rootExec(t, "GRANT SELECT ON mysql.db TO "+quoteAccount(user, "%")+" WITH GRANT OPTION")
	s := root(t)
	defer s.Close()
	if err := CopyUser(ctx, s.conn, user, user+CloneSuffix, "%"); err != nil {
		t.Fatal(err)
	}
	if err := CopyUser(ctx, s.conn, user, user+CloneSuffix, "%"); err != nil {
		t.Fatalf("second CopyUser (idempotency): %v", err)
	}
	var create string
	if err := s.conn.QueryRowContext(ctx, "SHOW CREATE USER ?@'%'", user+CloneSuffix).Scan(&create); err != nil {
		t.Fatal(err)
	}
	if RequireClause(create) != "X509" || !strings.Contains(create, "MAX_QUERIES_PER_HOUR 7") || !strings.Contains(create, "ACCOUNT LOCK") {
		t.Fatalf("clone account: %s", create)
	}
	if strings.Contains(create, "IDENTIFIED") {
		t.Fatalf("clone got a password hash: %s", create)
	}
	rows, err := s.conn.QueryContext(ctx, "SHOW GRANTS FOR ?@'%'", user+CloneSuffix)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var g string
		_ = rows.Scan(&g)
		all = append(all, g)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"ON `" + db + "`.*", "ON `mysql`.`db`", "WITH GRANT OPTION"} {
		if !strings.Contains(joined, want) {
			t.Errorf("clone grants lack %q:\n%s", want, joined)
		}
	}
}

// TestAlternatingSharedObjects: a table created by one user is used by the
// other after the switch (MySQL has no object owners; grants are per database).
func TestAlternatingSharedObjects(t *testing.T) {
	ctx := context.Background()
	sm := rotationtest.New(nil)
	r := newRotator(NewAlternating(Options{}))(sm, nil)
	sm.Invoker = rotationtest.HandlerInvoker(r)
	tgt := target(true)
	val := tgt.NewSecret(t, sm, "kw_share")
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("share"), SecretString: aws.String(val)}); err != nil {
		t.Fatal(err)
	}
	exec := func(stmt string) {
		t.Helper()
		s, _ := rotation.ParseSecret(rotationtest.Current(t, sm, "share"))
		d, _ := rotation.ParseDBSecret(s, DefaultPort)
		sess, err := connect(ctx, d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		if _, err := sess.conn.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("as %s: %s: %v", d.Username, stmt, err)
		}
	}
	exec("CREATE TABLE t (id int)")
	rotationtest.Rotate(t, sm, "share")
	exec("INSERT INTO t VALUES (1)")
	exec("ALTER TABLE t ADD COLUMN note text")
	rotationtest.Rotate(t, sm, "share")
	exec("DROP TABLE t")
}
