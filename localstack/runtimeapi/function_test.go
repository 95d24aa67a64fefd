package runtimeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keyward/keyward/localstack/runtimeapi"
)

// bootstrap is testdata/fn built for the host, once for the whole package.
var bootstrap string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runtimeapi-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bootstrap = filepath.Join(dir, "fn", "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrap, "./testdata/fn")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build testdata/fn: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newFunction(t *testing.T, cfg runtimeapi.Config) *runtimeapi.Function {
	t.Helper()
	cfg.Path = bootstrap
	if cfg.Stderr == nil {
		cfg.Stdout, cfg.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
	}
	f, err := runtimeapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

type reply struct {
	Event        json.RawMessage `json:"event"`
	RequestID    string          `json:"requestId"`
	FunctionARN  string          `json:"functionArn"`
	FunctionName string          `json:"functionName"`
	DeadlineMs   int64           `json:"deadlineMs"`
	TraceID      string          `json:"traceId"`
	Memory       string          `json:"memory"`
	Extra        string          `json:"extra"`
	Pid          int             `json:"pid"`
}

func TestInvokeSuccessCarriesLambdaContext(t *testing.T) {
	f := newFunction(t, runtimeapi.Config{Name: "echo", Env: []string{"EXTRA=yes"}, MemoryMB: 256, Timeout: 5 * time.Second})
	ctx := context.Background()
	before := time.Now()
	res, err := f.InvokeDetailed(ctx, []byte(`{"action":"echo","n":1}`))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var r reply
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("response %s: %v", res.Payload, err)
	}
	if string(r.Event) != `{"action":"echo","n":1}` {
		t.Errorf("event seen by the function = %s", r.Event)
	}
	if r.RequestID != res.RequestID || len(r.RequestID) != 36 {
		t.Errorf("request id: function saw %q, result has %q", r.RequestID, res.RequestID)
	}
	if want := "arn:aws:lambda:us-east-1:111122223333:function:echo"; r.FunctionARN != want || f.ARN() != want {
		t.Errorf("function ARN = %q (ARN() %q), want %q", r.FunctionARN, f.ARN(), want)
	}
	if r.FunctionName != "echo" || r.Memory != "256" || r.Extra != "yes" {
		t.Errorf("environment: name %q memory %q EXTRA %q", r.FunctionName, r.Memory, r.Extra)
	}
	dl := time.UnixMilli(r.DeadlineMs)
	if dl.Before(before.Add(4*time.Second)) || dl.After(time.Now().Add(5*time.Second)) {
		t.Errorf("deadline %v is not about 5s after the invoke at %v", dl, before)
	}
	if !strings.HasPrefix(r.TraceID, "Root=1-") {
		t.Errorf("trace id = %q", r.TraceID)
	}
	if res.Init <= 0 {
		t.Errorf("first invoke reported no init duration")
	}

	// The second invocation reuses the warm environment.
	res2, err := f.InvokeDetailed(ctx, []byte(`{"action":"echo"}`))
	if err != nil {
		t.Fatal(err)
	}
	var r2 reply
	_ = json.Unmarshal(res2.Payload, &r2)
	if res2.Init != 0 || r2.Pid != r.Pid {
		t.Errorf("warm invoke: init %v, pid %d then %d", res2.Init, r.Pid, r2.Pid)
	}
	if r2.RequestID == r.RequestID {
		t.Errorf("request id reused: %s", r.RequestID)
	}
}

func TestInvokeFailures(t *testing.T) {
	tests := []struct {
		name        string
		event       string
		timeout     time.Duration
		wantType    string
		wantMessage string
	}{
		{"handler error", `{"action":"error"}`, 5 * time.Second, "errorString", "the handler failed"},
		{"panic", `{"action":"panic"}`, 5 * time.Second, "string", "boom"},
		{"timeout", `{"action":"sleep","ms":5000}`, 300 * time.Millisecond, runtimeapi.ErrorTypeTimeout, "Task timed out after 0.30 seconds"},
		{"exit", `{"action":"exit"}`, 5 * time.Second, runtimeapi.ErrorTypeExit, "Runtime exited with error: exit status 7"},
		{"bad event", `[1,2]`, 5 * time.Second, "UnmarshalTypeError", "cannot unmarshal array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFunction(t, runtimeapi.Config{Name: "fails", Timeout: tt.timeout})
			_, err := f.Invoke(context.Background(), []byte(tt.event))
			var fe *runtimeapi.FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want *FunctionError", err, err)
			}
			if fe.Type != tt.wantType || !strings.Contains(fe.Message, tt.wantMessage) {
				t.Errorf("got %s: %s; want %s containing %q", fe.Type, fe.Message, tt.wantType, tt.wantMessage)
			}
			var doc map[string]any
			if err := json.Unmarshal(fe.Payload, &doc); err != nil || doc["errorType"] != fe.Type || doc["errorMessage"] != fe.Message {
				t.Errorf("payload %s does not carry errorType/errorMessage", fe.Payload)
			}
			// Whatever happened, the function serves the next event.
			if _, err := f.Invoke(context.Background(), []byte(`{"action":"echo"}`)); err != nil {
				t.Errorf("invoke after %s: %v", tt.name, err)
			}
		})
	}
}

func TestTimeoutKillsTheProcess(t *testing.T) {
	f := newFunction(t, runtimeapi.Config{Timeout: 5 * time.Second})
	out, err := f.Invoke(context.Background(), []byte(`{"action":"echo"}`))
	if err != nil {
		t.Fatal(err)
	}
	var r reply
	_ = json.Unmarshal(out, &r)

	f2 := newFunction(t, runtimeapi.Config{Timeout: 200 * time.Millisecond})
	res, _ := f2.InvokeDetailed(context.Background(), []byte(`{"action":"echo"}`))
	var r2 reply
	_ = json.Unmarshal(res.Payload, &r2)
	if _, err := f2.Invoke(context.Background(), []byte(`{"action":"sleep","ms":3000}`)); err == nil {
		t.Fatal("sleeping past the timeout succeeded")
	}
	if err := syscall.Kill(r2.Pid, 0); err == nil {
		t.Errorf("bootstrap pid %d still running after its timeout", r2.Pid)
	}
	f.Close()
	if err := syscall.Kill(r.Pid, 0); err == nil {
		t.Errorf("bootstrap pid %d still running after Close", r.Pid)
	}
}

func TestInitFailureIsReported(t *testing.T) {
	var logs bytes.Buffer
	f := newFunction(t, runtimeapi.Config{Env: []string{"FAIL_INIT=1"}, Stderr: &logs, Stdout: &logs})
	_, err := f.Invoke(context.Background(), []byte(`{}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeExit || !strings.Contains(fe.Message, "exit status 3") {
		t.Fatalf("err = %v, want Runtime.ExitError with exit status 3", err)
	}
	if !strings.Contains(logs.String(), "init failed on purpose") {
		t.Errorf("function's stderr not passed through: %q", logs.String())
	}
}

func TestCanceledContextStopsTheInvoke(t *testing.T) {
	f := newFunction(t, runtimeapi.Config{Timeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.Invoke(ctx, []byte(`{"action":"sleep","ms":5000}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("invoke outlived its context")
	}
}

func TestRegistryResolvesNamesAndARNs(t *testing.T) {
	reg := runtimeapi.NewRegistry()
	t.Cleanup(func() { reg.Close() })
	reg.Add(newFunction(t, runtimeapi.Config{Name: "rotation"}))
	for _, name := range []string{
		"rotation",
		"arn:aws:lambda:us-east-1:111122223333:function:rotation",
		"arn:aws:lambda:us-east-1:111122223333:function:rotation:$LATEST",
		"111122223333:function:rotation",
	} {
		if _, err := reg.Invoke(context.Background(), name, []byte(`{"action":"echo"}`)); err != nil {
			t.Errorf("Invoke(%q): %v", name, err)
		}
	}
	_, err := reg.Invoke(context.Background(), "missing", []byte(`{}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "ResourceNotFoundException" {
		t.Errorf("unknown function: err = %v", err)
	}
	if got := reg.Names(); len(got) != 1 || got[0] != "rotation" {
		t.Errorf("Names() = %v", got)
	}
}

func TestNewRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", filepath.Join(t.TempDir(), "missing"), t.TempDir()} {
		if _, err := runtimeapi.New(runtimeapi.Config{Path: p}); err == nil {
			t.Errorf("New(Path: %q) accepted", p)
		}
	}
}
