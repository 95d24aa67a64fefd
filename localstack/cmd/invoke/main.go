// Command invoke is `make invoke`: the sam-style local invoke. It builds
// functions/<fn> for this machine, runs the real bootstrap behind a local Lambda
// Runtime API (localstack/runtimeapi), passes it the event and prints the
// function's response on stdout. Function logs and durations go to stderr.
//
// Exit codes: 0 success; 1 the function failed (its error document, errorType and
// errorMessage, is printed on stdout as Lambda returns it) or could not be built;
// 2 bad usage: unknown function, missing or malformed event file.
//
//	invoke -fn keyops -event events/apigw-encrypt.json [-timeout 30s]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/keyward/keyward/localstack/runtimeapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is bad input from the user: one line, exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stderr = &syncWriter{w: stderr} // shared by the function's logs and our reports
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fn := fs.String("fn", "", "function name: a folder under functions/")
	eventPath := fs.String("event", "", "JSON event file (a name alone is also looked up in events/); - reads stdin")
	timeout := fs.Duration("timeout", 30*time.Second, "invocation timeout (Lambda's own default is 3s)")
	memory := fs.Int("memory", 128, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
	root := fs.String("root", "", "repository root (default: the folder holding go.mod above the working directory)")
	bootstrap := fs.String("bootstrap", "", "run this bootstrap instead of building functions/<fn>")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	err := invoke(ctx, options{fn: *fn, event: *eventPath, timeout: *timeout, memory: *memory,
		root: *root, bootstrap: *bootstrap}, stdout, stderr)
	var ue usageError
	var fe *runtimeapi.FunctionError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "invoke: "+ue.msg)
		return 2
	case errors.As(err, &fe):
		fmt.Fprintf(stdout, "%s\n", fe.Payload)
		fmt.Fprintf(stderr, "invoke: %s failed: %s\n", *fn, oneLine(fe.Error()))
		return 1
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "invoke: interrupted; function stopped")
		return 130
	default:
		fmt.Fprintln(stderr, "invoke: "+oneLine(err.Error()))
		return 1
	}
}

type options struct {
	fn, event, root, bootstrap string
	timeout                    time.Duration
	memory                     int
}

func invoke(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.fn == "" {
		return usagef("no function: make invoke FN=<function> EVENT=<file.json>")
	}
	root := o.root
	if root == "" {
		var err error
		if root, err = findRoot(); err != nil {
			return err
		}
	}
	if o.bootstrap == "" {
		if st, err := os.Stat(filepath.Join(root, "functions", o.fn, "main.go")); err != nil || st.IsDir() ||
			strings.ContainsAny(o.fn, `/\`) || strings.HasPrefix(o.fn, ".") {
			return usagef("unknown function %q (have: %s)", o.fn, strings.Join(functionNames(root), ", "))
		}
	}
	event, err := readEvent(root, o.event)
	if err != nil {
		return err
	}

	path := o.bootstrap
	if path == "" {
		if path, err = build(ctx, root, o.fn, stderr); err != nil {
			return err
		}
	}
	f, err := runtimeapi.New(runtimeapi.Config{
		Name: o.fn, Path: path, Env: passThroughEnv(), Timeout: o.timeout, MemoryMB: o.memory,
		Region: firstNonEmpty(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1"),
		Stdout: stderr, Stderr: stderr,
	})
	if err != nil {
		return err
	}
	defer f.Close()

	res, err := f.InvokeDetailed(ctx, event)
	if res != nil && res.Init > 0 {
		fmt.Fprintf(stderr, "INIT_REPORT Init Duration: %.2f ms\n", ms(res.Init))
	}
	if res != nil {
		fmt.Fprintf(stderr, "REPORT RequestId: %s\tDuration: %.2f ms\tMemory Size: %d MB\n", res.RequestID, ms(res.Duration), o.memory)
	}
	if err != nil {
		return err
	}
	out := res.Payload
	if json.Valid(out) {
		out = []byte(strings.TrimRight(string(out), "\n"))
	}
	fmt.Fprintf(stdout, "%s\n", out)
	return nil
}

// readEvent loads and checks the event: a path, a bare name found in events/, or - for stdin.
func readEvent(root, name string) ([]byte, error) {
	if name == "" {
		return nil, usagef("no event: make invoke FN=<function> EVENT=<file.json> (fixtures are in events/)")
	}
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) && !strings.ContainsRune(name, os.PathSeparator) {
			if alt, altErr := os.ReadFile(filepath.Join(root, "events", name)); altErr == nil {
				data, err = alt, nil
			}
		}
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("event file %s not found", name)
		}
		return nil, usagef("event file %s: %v", name, err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(string(data[:se.Offset]), "\n")
			return nil, usagef("event file %s is not valid JSON: %v (line %d)", name, err, line)
		}
		return nil, usagef("event file %s is not valid JSON: %v", name, err)
	}
	return data, nil
}

// build compiles the function for this machine the way `make build` does for Lambda.
func build(ctx context.Context, root, fn string, stderr io.Writer) (string, error) {
	out := filepath.Join(root, ".build", "host", fn, "bootstrap")
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, "./functions/"+fn)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build functions/%s failed: %v\n%s", fn, err, msg)
	}
	size := int64(0)
	if st, err := os.Stat(out); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(stderr, "invoke: built %s for %s/%s in %.1fs (%.1f MiB)\n", fn, runtime.GOOS, runtime.GOARCH,
		time.Since(start).Seconds(), float64(size)/(1<<20))
	return out, nil
}

func findRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", usagef("no go.mod above %s: run from the keyward repository", wd)
		}
	}
}

func functionNames(root string) []string {
	matches, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	names := make([]string, 0, len(matches))
	for _, m := range matches {
		names = append(names, filepath.Base(filepath.Dir(m)))
	}
	sort.Strings(names)
	return names
}

// passThroughEnv gives the function this shell's environment (endpoint, credentials,
// TABLE_NAME, database settings) minus what the Lambda runtime itself sets.
func passThroughEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_LAMBDA_") || strings.HasPrefix(kv, "_HANDLER=") ||
			strings.HasPrefix(kv, "LAMBDA_") || strings.HasPrefix(kv, "_X_AMZN_TRACE_ID=") || strings.HasPrefix(kv, "TZ=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// syncWriter serializes writes from the function's output copier and this command.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 && !strings.HasPrefix(s, "build ") {
		return s[:i]
	}
	return s
}
