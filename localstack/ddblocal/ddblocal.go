// Package ddblocal starts and stops AWS's DynamoDB Local (the jar that `make tools`
// unpacks from amplify-dynamodb-simulator) as a child process.
package ddblocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Options configure a DynamoDB Local process.
type Options struct {
	Dir     string // folder holding DynamoDBLocal.jar; default: Locate()
	Port    int    // 0 picks a free loopback port
	DataDir string // empty: -inMemory
	// Timeout bounds the wait for the JVM to answer; default 120 s. A machine
	// shared by many builds can need more.
	Timeout time.Duration
	// JVMArgs are extra JVM flags; nil means FastStartJVMArgs.
	JVMArgs []string
}

// FastStartJVMArgs trade DynamoDB Local's peak throughput for a start about twice
// as fast on a small, busy machine (C1 JIT only, serial GC, class data sharing):
// the right trade for tests and local development.
var FastStartJVMArgs = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"}

// Process is a running DynamoDB Local.
type Process struct {
	URL string
	cmd *exec.Cmd
}

// ErrNotInstalled says the jar or Java is missing; the message names the fix.
var ErrNotInstalled = errors.New("ddblocal: DynamoDB Local not installed (run `make tools`)")

// Locate finds the DynamoDB Local folder: $KEYWARD_DYNAMODB_LOCAL_DIR, else
// localstack/.tools/dynamodb above the working directory.
func Locate() (string, error) {
	if d := os.Getenv("KEYWARD_DYNAMODB_LOCAL_DIR"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "localstack", ".tools", "dynamodb")
		if _, err := os.Stat(filepath.Join(cand, "DynamoDBLocal.jar")); err == nil {
			return cand, nil
		}
		if filepath.Dir(d) == d {
			return "", ErrNotInstalled
		}
	}
}

// Start launches DynamoDB Local and waits until it accepts connections.
func Start(ctx context.Context, o Options) (*Process, error) {
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = Locate(); err != nil {
			return nil, err
		}
	}
	if _, err := exec.LookPath("java"); err != nil {
		return nil, fmt.Errorf("ddblocal: Java 17 not found: apt-get install openjdk-17-jre-headless")
	}
	port := o.Port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return nil, fmt.Errorf("ddblocal: pick port: %w", err)
		}
	}
	jvm := o.JVMArgs
	if jvm == nil {
		jvm = FastStartJVMArgs
	}
	args := append(append([]string(nil), jvm...), "-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-Xmx512m", "-jar", filepath.Join(dir, "DynamoDBLocal.jar"), "-port", strconv.Itoa(port))
	if o.DataDir != "" {
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("ddblocal: data dir: %w", err)
		}
		args = append(args, "-sharedDb", "-dbPath", o.DataDir)
	} else {
		args = append(args, "-inMemory", "-sharedDb")
	}
	cmd := exec.Command("java", args...)
	cmd.Dir = dir
	stopWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ddblocal: start: %w", err)
	}
	p := &Process{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 120 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return p, nil
		}
		select {
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.Stop()
	return nil, fmt.Errorf("ddblocal: no answer on %s within %s", addr, timeout)
}

// Stop ends the process and waits for it.
func (p *Process) Stop() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_, _ = p.cmd.Process.Wait()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
