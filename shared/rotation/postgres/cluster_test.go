package postgres

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/rotation"
)

// cluster is a private PostgreSQL started for the tests with scram-sha-256
// authentication, so that a wrong password really fails (the machine's shared
// cluster trusts every local connection).
type cluster struct {
	dir, bin string
	port     int
	asUser   []string // runuser prefix when running as root
}

const superPassword = "super-secret-test-pw"

var testCluster *cluster

func TestMain(m *testing.M) {
	c, err := startCluster()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "FAIL: PostgreSQL test cluster unavailable: %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "PostgreSQL test cluster unavailable (%v); database tests will fail\n", err)
	}
	testCluster = c
	code := m.Run()
	if c != nil {
		c.stop()
	}
	os.Exit(code)
}

func findBin() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", fmt.Errorf("initdb not found under /usr/lib/postgresql/*/bin or in PATH")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startCluster() (*cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	stopStale(bin)
	dir, err := os.MkdirTemp("", "keyward-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, bin: bin}
	uid, gid := -1, -1
	if os.Geteuid() == 0 { // initdb refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(superPassword+"\n"), 0o644); err != nil {
		return nil, err
	}
	if err := c.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--pwfile="+pwfile,
		"--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		return nil, err
	}
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	certFile, keyFile, err := writeServerCert(dir, uid, gid)
	if err != nil {
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 -c ssl=on -c ssl_cert_file=%s -c ssl_key_file=%s",
		c.port, dir, certFile, keyFile)
	if err := c.run("pg_ctl", "-D", filepath.Join(dir, "data"), "-o", opts, "-w", "-t", "60", "-l", filepath.Join(dir, "log"), "start"); err != nil {
		return nil, err
	}
	return c, nil
}

// stopStale stops clusters left by test processes that died without TestMain's
// cleanup (a panic, a kill) more than an hour ago.
func stopStale(bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "keyward-pg-*"))
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		if err != nil || time.Since(st.ModTime()) < time.Hour {
			continue
		}
		c := &cluster{dir: dir, bin: bin}
		if os.Geteuid() == 0 {
			c.asUser = []string{"runuser", "-u", "postgres", "--"}
		}
		c.stop()
	}
}

func (c *cluster) run(name string, args ...string) error {
	argv := append(append(append([]string{}, c.asUser...), filepath.Join(c.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, out)
	}
	return nil
}

func (c *cluster) stop() {
	_ = c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	_ = os.RemoveAll(c.dir)
}

// master returns the superuser's credentials on the private cluster.
func master(t testing.TB) rotation.DBSecret {
	t.Helper()
	if testCluster == nil {
		t.Fatal("PostgreSQL test cluster is not running (see TestMain output)")
	}
	f := false
	return rotation.DBSecret{Engine: "postgres", Host: "127.0.0.1", Port: testCluster.port, Username: "postgres", Password: superPassword, DBName: "postgres", SSL: &f}
}

func masterExec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, master(t), Options{})
	if err != nil {
		t.Fatalf("master connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("master exec %q: %v", sql, err)
	}
}
