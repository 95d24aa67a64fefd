package endpoint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/ddblocal"
	"github.com/keyward/keyward/localstack/trail"
)

// Options configure a local endpoint. The zero value serves in memory on
// 127.0.0.1:4566 without DynamoDB.
type Options struct {
	Addr      string // listen address; default 127.0.0.1:4566, "127.0.0.1:0" picks a free port
	DataDir   string // empty: all state in memory; else state survives restarts under this folder
	Region    string // default us-east-1
	AccountID string // default 111122223333

	DynamoDB    bool   // start DynamoDB Local as a child process and forward DynamoDB calls to it
	DynamoDBDir string // folder holding DynamoDBLocal.jar; default ddblocal.Locate()
	DynamoDBURL string // forward to an already running DynamoDB Local instead of starting one
	// WaitForDynamoDB makes Start return only once DynamoDB Local answers (and fail
	// if it cannot start). Without it Start returns as soon as the other services
	// serve; DynamoDB calls wait for DynamoDB Local (the JVM is the slow part).
	WaitForDynamoDB bool

	Principals Principals // access key → principal ARN; nil: DefaultPrincipals(AccountID)

	TrailFile    string         // JSONL file of CloudTrail events; default <DataDir>/cloudtrail/events.jsonl
	TrailTargets []trail.Target // local targets that receive every CloudTrail event, in order
	// TrailBucket, when set, makes the endpoint write CloudTrail log files
	// (gzip JSON {"Records":[...]}) into this bucket of its own S3, as a trail does.
	TrailBucket string

	Invoker awsapi.Invoker // runs local Lambda functions (Secrets Manager rotation); may be nil

	MaxBodyBytes int64        // request body limit for JSON and query services; default 2 MiB
	Logger       *slog.Logger // default: discard

	// Register, when set, runs after the built-in services are registered and before
	// the endpoint starts serving, to add or replace services.
	Register func(*Server) error
}

// Server is a running local endpoint.
type Server struct {
	URL     string         // e.g. http://127.0.0.1:4566
	Trail   *trail.Tap     // the CloudTrail tap (AddTarget to subscribe)
	KeyRing awsapi.KeyRing // the endpoint's KMS, for in-process services

	opts      Options
	log       *slog.Logger
	ln        net.Listener
	srv       *http.Server
	ddb       *ddblocal.Process
	ddbURL    string
	ddbProxy  http.Handler
	ddbErr    error
	ddbReady  chan struct{} // closed once DynamoDB Local is up, failed, or not wanted
	ddbCancel context.CancelFunc
	debug     *http.ServeMux
	started   time.Time

	mu      sync.RWMutex
	json    map[string]jsonRoute
	query   map[string]awsapi.QueryService
	rest    map[string]awsapi.RESTService
	closers []io.Closer
	logs    *trail.LogFileWriter

	closeOnce sync.Once
	closeErr  error
}

type jsonRoute struct {
	prefix      string
	signingName string
	contentType string
	svc         awsapi.JSONService
}

// Start builds every service, starts DynamoDB Local when asked, and serves until
// Close. It returns once the endpoint accepts requests.
func Start(ctx context.Context, o Options) (*Server, error) {
	o = withDefaults(o)
	s := &Server{
		opts:     o,
		log:      o.Logger,
		debug:    http.NewServeMux(),
		json:     map[string]jsonRoute{},
		query:    map[string]awsapi.QueryService{},
		rest:     map[string]awsapi.RESTService{},
		started:  time.Now(),
		ddbReady: make(chan struct{}),
	}
	if o.DataDir != "" {
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("endpoint: data dir: %w", err)
		}
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("endpoint: listen %s: %w", o.Addr, err)
	}
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()

	// DynamoDB Local (a JVM) is the slowest part: start it while services load,
	// and unless asked to wait, let the other services serve meanwhile.
	ddbCtx := context.Background()
	if o.WaitForDynamoDB {
		ddbCtx = ctx
	}
	ddbCtx, s.ddbCancel = context.WithCancel(ddbCtx)
	go func() {
		s.ddbErr = s.startDynamoDB(ddbCtx)
		if s.ddbErr != nil && !o.WaitForDynamoDB {
			s.log.Error("endpoint: DynamoDB calls will fail", "err", s.ddbErr)
		}
		close(s.ddbReady)
	}()

	tap, err := trail.New(trail.Options{File: o.TrailFile, Targets: o.TrailTargets, Logger: o.Logger})
	if err == nil {
		s.Trail = tap
		err = s.registerServices()
	}
	if err == nil && o.Register != nil {
		err = o.Register(s)
	}
	if err == nil && o.TrailBucket != "" {
		err = s.startTrailLogFiles(o.TrailBucket)
	}
	if o.WaitForDynamoDB {
		<-s.ddbReady
		if err == nil {
			err = s.ddbErr
		}
	}
	if err != nil {
		ln.Close()
		s.shutdown()
		return nil, err
	}
	s.routeDebug()
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("endpoint: serve", "err", err)
		}
	}()
	s.log.Info("endpoint: ready", "url", s.URL, "dataDir", o.DataDir, "dynamodb", s.dynamoDBState(),
		"startup", time.Since(s.started).String())
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:4566"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "111122223333"
	}
	if o.Principals == nil {
		o.Principals = DefaultPrincipals(o.AccountID)
	}
	if o.TrailFile == "" && o.DataDir != "" {
		o.TrailFile = filepath.Join(o.DataDir, "cloudtrail", "events.jsonl")
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 2 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// StatePath is where a service keeps its state file under the data directory,
// or "" when the endpoint runs in memory.
func (s *Server) StatePath(name string) string {
	if s.opts.DataDir == "" {
		return ""
	}
	return filepath.Join(s.opts.DataDir, name)
}

// Options returns the options the server runs with, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// RegisterJSON serves a JSON protocol service for X-Amz-Target values
// "<targetPrefix>.<Operation>" (e.g. "secretsmanager", "TrentService"), signed as
// signingName. If svc implements awsapi.Traced its calls go to the CloudTrail tap.
// If svc implements io.Closer, Close runs when the endpoint closes.
func (s *Server) RegisterJSON(targetPrefix, signingName string, svc awsapi.JSONService) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.json[targetPrefix] = jsonRoute{prefix: targetPrefix, signingName: signingName, contentType: "application/x-amz-json-1.1", svc: svc}
	s.addCloser(svc)
}

// RegisterQuery serves a query protocol service (STS, SNS) signed as signingName.
func (s *Server) RegisterQuery(signingName string, svc awsapi.QueryService) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.query[signingName] = svc
	s.addCloser(svc)
}

// RegisterREST serves a REST protocol service (S3) signed as signingName; it also
// receives unsigned requests that match no other protocol when signingName is "s3".
func (s *Server) RegisterREST(signingName string, svc awsapi.RESTService) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rest[signingName] = svc
	s.addCloser(svc)
}

// HandleDebug serves h at a path under /_keyward/ (e.g. "/_keyward/sns/messages").
func (s *Server) HandleDebug(pattern string, h http.Handler) {
	s.debug.Handle(pattern, h)
}

func (s *Server) addCloser(v any) {
	if c, ok := v.(io.Closer); ok {
		s.closers = append(s.closers, c)
	}
}

func (s *Server) startDynamoDB(ctx context.Context) error {
	switch {
	case s.opts.DynamoDBURL != "":
		s.ddbURL = s.opts.DynamoDBURL
	case s.opts.DynamoDB:
		dir := ""
		if s.opts.DataDir != "" {
			dir = filepath.Join(s.opts.DataDir, "dynamodb")
		}
		p, err := ddblocal.Start(ctx, ddblocal.Options{Dir: s.opts.DynamoDBDir, DataDir: dir,
			Timeout: 2 * time.Minute}) // a JVM on a busy 2-core machine can take a minute
		if err != nil {
			return fmt.Errorf("endpoint: DynamoDB Local: %w", err)
		}
		s.ddb, s.ddbURL = p, p.URL
	default:
		return nil
	}
	proxy, err := newDynamoDBProxy(s.ddbURL, s.log)
	if err != nil {
		return err
	}
	s.ddbProxy = proxy
	return nil
}

// DynamoDBURL is the URL of the DynamoDB Local the endpoint forwards to, or ""
// (also while it is still starting).
func (s *Server) DynamoDBURL() string {
	select {
	case <-s.ddbReady:
		return s.ddbURL
	default:
		return ""
	}
}

// dynamoDBState is "running", "starting", "error" or "" (not enabled).
func (s *Server) dynamoDBState() string {
	select {
	case <-s.ddbReady:
	default:
		return "starting"
	}
	switch {
	case s.ddbErr != nil:
		return "error"
	case s.ddbProxy != nil:
		return "running"
	}
	return ""
}

// Close stops serving, waits for in-flight requests (up to 30 s: a busy CI machine
// can be slow to finish them), flushes the
// CloudTrail tap, saves state and stops DynamoDB Local.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := s.srv.Shutdown(ctx); err != nil {
				_ = s.srv.Close()
				s.closeErr = err
			}
		}
		if err := s.shutdown(); err != nil && s.closeErr == nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}

func (s *Server) shutdown() error {
	var errs []error
	// The tap first, so every event reaches its targets (the log files go to the
	// S3 service, still open); services afterwards. Events a service emits while
	// closing are dropped.
	if s.Trail != nil {
		if err := s.Trail.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.logs != nil {
		if err := s.logs.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i].Close(); err != nil {
			errs = append(errs, err)
		}
	}
	s.ddbCancel()
	<-s.ddbReady // a DynamoDB Local still starting is stopped by the cancel
	s.ddb.Stop()
	return errors.Join(errs...)
}
