package runtimeapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Config describes a function to run locally.
type Config struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME); default: the folder
	// holding Path.
	Name string
	// Path is the bootstrap executable.
	Path string
	// Env is added to the Lambda variables (KEY=VALUE; later entries win), e.g.
	// TABLE_NAME or AWS_ENDPOINT_URL. Nothing is inherited from this process but PATH.
	Env []string
	// Timeout bounds each invocation; default 3s, Lambda's default.
	Timeout time.Duration
	// InitTimeout bounds the init phase (process start to first poll); default 10s.
	InitTimeout time.Duration
	// MemoryMB is reported in AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default 128.
	MemoryMB int
	// Region and AccountID build the function ARN; defaults us-east-1 and the
	// local account 111122223333.
	Region, AccountID string
	// Stdout and Stderr receive the function's output (its logs); default os.Stderr.
	Stdout, Stderr io.Writer
}

// Result is one successful invocation.
type Result struct {
	Payload   []byte
	RequestID string
	// Init is the cold start this invocation paid (process start to the first
	// poll of /next); zero when the environment was warm.
	Init time.Duration
	// Duration is from handing out the event to the runtime's response.
	Duration time.Duration
}

// Function runs one Lambda function's bootstrap behind a local Runtime API. It
// is safe for concurrent use; invocations are served one at a time, like one
// Lambda execution environment.
type Function struct {
	cfg Config
	arn string

	mu  sync.Mutex // serializes invocations and guards env
	env *environment
}

// New checks cfg and returns a Function; the process starts on the first Invoke
// (or Start).
func New(cfg Config) (*Function, error) {
	if cfg.Path == "" {
		return nil, errors.New("runtimeapi: Config.Path (the bootstrap) is required")
	}
	abs, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: bootstrap path: %w", err)
	}
	cfg.Path = abs
	if st, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("runtimeapi: bootstrap: %w", err)
	} else if st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("runtimeapi: bootstrap %s is not an executable file", abs)
	}
	if cfg.Name == "" {
		cfg.Name = filepath.Base(filepath.Dir(abs))
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = 128
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "111122223333"
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stderr
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", cfg.Region, cfg.AccountID, cfg.Name)
	return &Function{cfg: cfg, arn: arn}, nil
}

// Name is the function's name.
func (f *Function) Name() string { return f.cfg.Name }

// ARN is the function's (local) ARN, sent as Lambda-Runtime-Invoked-Function-Arn.
func (f *Function) ARN() string { return f.arn }

// Start runs the init phase now if no environment is warm and returns its
// duration (zero when already warm).
func (f *Function) Start(ctx context.Context) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.warm(ctx)
}

// Invoke runs the function on payload and returns its response. A failed
// invocation returns a *FunctionError.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	res, err := f.InvokeDetailed(ctx, payload)
	if err != nil {
		return nil, err
	}
	return res.Payload, nil
}

// InvokeDetailed is Invoke with the request id and durations.
func (f *Function) InvokeDetailed(ctx context.Context, payload []byte) (*Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := &Result{RequestID: newRequestID()}
	inv := &invocation{
		id:      res.RequestID,
		payload: payload,
		arn:     f.arn,
		traceID: newTraceID(),
		done:    make(chan outcome, 1),
	}
	timer := time.NewTimer(f.cfg.Timeout)
	defer timer.Stop()
	var env *environment
	// A runtime that exits between invocations (as Go's does after a panic) never
	// saw this event: start a new environment and hand it over there, once.
	for attempt := 0; env == nil; attempt++ {
		init, err := f.warm(ctx)
		res.Init += init
		if err != nil {
			var fe *FunctionError
			if errors.As(err, &fe) && fe.Type == ErrorTypeExit {
				// Lambda words an init crash against the request that triggered it.
				return res, platformError(ErrorTypeExit, res.RequestID, "%s", fe.Message)
			}
			return res, err
		}
		inv.deadline = time.Now().Add(f.cfg.Timeout)
		timer.Reset(f.cfg.Timeout)
		select { // hand the event to the runtime's pending GET /next
		case f.env.srv.queue <- inv:
			env = f.env
		case <-f.env.exited:
			if attempt > 0 {
				status := f.env.exitStatus()
				f.discard()
				return res, platformError(ErrorTypeExit, inv.id, "Runtime exited with error: %s", status)
			}
			f.discard()
		case <-timer.C:
			f.discard()
			return res, platformError(ErrorTypeTimeout, inv.id, "Task timed out after %.2f seconds", f.cfg.Timeout.Seconds())
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
	start := time.Now()

	var out outcome
	select {
	case out = <-inv.done:
	case <-env.exited:
		select { // a runtime that posted its error (a panic) and then exited
		case out = <-inv.done:
		default:
			status := env.exitStatus()
			f.discard()
			return res, platformError(ErrorTypeExit, inv.id, "Runtime exited with error: %s", status)
		}
	case <-timer.C:
		f.discard()
		return res, platformError(ErrorTypeTimeout, inv.id, "Task timed out after %.2f seconds", f.cfg.Timeout.Seconds())
	case <-ctx.Done():
		f.discard() // the runtime is still busy with an event nobody waits for
		return res, ctx.Err()
	}
	res.Duration = time.Since(start)
	if out.err != nil {
		return res, out.err
	}
	res.Payload = out.payload
	return res, nil
}

// Close stops the bootstrap process (and its children) and the Runtime API server.
func (f *Function) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.discard()
	return nil
}

// warm starts an environment unless a live one exists. Callers hold f.mu.
func (f *Function) warm(ctx context.Context) (time.Duration, error) {
	if f.env != nil {
		select {
		case <-f.env.exited: // died between invocations (e.g. after a panic)
			f.discard()
		default:
			return 0, nil
		}
	}
	env, err := startEnvironment(f.cfg, f.arn)
	if err != nil {
		return 0, err
	}
	timer := time.NewTimer(f.cfg.InitTimeout)
	defer timer.Stop()
	select {
	case <-env.srv.polled:
		f.env = env
		return time.Since(env.started), nil
	case fe := <-env.srv.initErr:
		env.stop()
		return time.Since(env.started), fe
	case <-env.exited:
		env.stop()
		return time.Since(env.started), &FunctionError{Type: ErrorTypeExit,
			Message: "Runtime exited during init with error: " + env.exitStatus()}
	case <-timer.C:
		env.stop()
		return f.cfg.InitTimeout, &FunctionError{Type: ErrorTypeTimeout,
			Message: fmt.Sprintf("Init phase timed out after %.2f seconds", f.cfg.InitTimeout.Seconds())}
	case <-ctx.Done():
		env.stop()
		return 0, ctx.Err()
	}
}

// discard stops the current environment; the next Invoke starts a fresh one.
func (f *Function) discard() {
	if f.env != nil {
		f.env.stop()
		f.env = nil
	}
}

// environment is one bootstrap process with its Runtime API server.
type environment struct {
	srv     *server
	http    *http.Server
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{} // closed when the process has exited
	waitErr error
}

func startEnvironment(cfg Config, arn string) (*environment, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: listen: %w", err)
	}
	env := &environment{srv: newServer(), exited: make(chan struct{})}
	env.http = &http.Server{Handler: env.srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = env.http.Serve(ln) }()

	cmd := exec.Command(cfg.Path)
	cmd.Dir = filepath.Dir(cfg.Path)
	cmd.Env = lambdaEnv(cfg, ln.Addr().String())
	cmd.Stdout, cmd.Stderr = writeOnly(cfg.Stdout), writeOnly(cfg.Stderr)
	setProcessGroup(cmd)
	env.cmd = cmd
	env.started = time.Now()
	if err := cmd.Start(); err != nil {
		_ = env.http.Close()
		return nil, fmt.Errorf("runtimeapi: start %s: %w", cfg.Path, err)
	}
	go func() {
		env.waitErr = cmd.Wait()
		close(env.exited)
	}()
	return env, nil
}

// writeOnly hides io.ReaderFrom: os/exec copies a pipe into a non-file writer,
// and a bytes.Buffer's ReadFrom would hold the buffer for the process's lifetime,
// dropping what others write to it meanwhile.
func writeOnly(w io.Writer) io.Writer {
	if _, ok := w.(*os.File); ok {
		return w
	}
	return struct{ io.Writer }{w}
}

// stop kills the process group, waits for it and closes the server.
func (e *environment) stop() {
	select {
	case <-e.exited:
	default:
		killProcessGroup(e.cmd)
		select {
		case <-e.exited:
		case <-time.After(5 * time.Second):
		}
	}
	_ = e.http.Close()
}

// exitStatus says how the process ended, as Lambda words it ("exit status 2",
// "signal: killed").
func (e *environment) exitStatus() string {
	if e.waitErr == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(e.waitErr, &ee) {
		return ee.ProcessState.String()
	}
	return e.waitErr.Error()
}

// lambdaEnv is the environment Lambda gives a provided.al2023 function.
func lambdaEnv(cfg Config, runtimeAPI string) []string {
	now := time.Now().UTC()
	dir := filepath.Dir(cfg.Path)
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"_HANDLER=" + filepath.Base(cfg.Path),
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + dir,
		"AWS_LAMBDA_RUNTIME_API=" + runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(cfg.MemoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + now.Format("2006/01/02") + "/[$LATEST]" + randomHex(16),
		"AWS_REGION=" + cfg.Region,
		"AWS_DEFAULT_REGION=" + cfg.Region,
	}
	return append(env, cfg.Env...)
}

// newRequestID returns a random UUID (version 4), the shape of Lambda request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceID returns an X-Ray trace header: Root=1-<epoch hex>-<96 random bits>.
func newTraceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(12), randomHex(8))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
