package runtimeapi

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Runtime API paths and headers (docs: "Using the Lambda runtime API for custom runtimes").
const (
	pathPrefix = "/2018-06-01/runtime"

	HeaderRequestID     = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMS    = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID       = "Lambda-Runtime-Trace-Id"
	HeaderClientContext = "Lambda-Runtime-Client-Context"
	HeaderCognito       = "Lambda-Runtime-Cognito-Identity"
	HeaderErrorType     = "Lambda-Runtime-Function-Error-Type"
	headerErrorBody     = "Lambda-Runtime-Function-Error-Body" // trailer of streamed responses

	// MaxResponseBytes is Lambda's limit for a synchronous response payload.
	MaxResponseBytes = 6 << 20
	maxErrorBytes    = 1 << 20
)

// invocation is one event handed to the runtime.
type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	arn      string
	traceID  string
	done     chan outcome // buffered: the first outcome wins
}

type outcome struct {
	payload []byte
	err     *FunctionError
}

// finish records the outcome unless one is already there.
func (inv *invocation) finish(o outcome) bool {
	select {
	case inv.done <- o:
		return true
	default:
		return false
	}
}

// server is the Runtime API of one execution environment.
type server struct {
	queue    chan *invocation
	polled   chan struct{} // closed on the first GET /next: init is over
	initErr  chan *FunctionError
	pollOnce sync.Once

	mu       sync.Mutex
	inflight map[string]*invocation
}

func newServer() *server {
	return &server{
		queue:    make(chan *invocation),
		polled:   make(chan struct{}),
		initErr:  make(chan *FunctionError, 1),
		inflight: map[string]*invocation{},
	}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && p == pathPrefix+"/invocation/next":
		s.next(w, r)
	case r.Method == http.MethodPost && p == pathPrefix+"/init/error":
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBytes))
		select {
		case s.initErr <- parseFunctionError(body, r.Header.Get(HeaderErrorType)):
		default:
		}
		accepted(w)
	case r.Method == http.MethodPost && len(p) > len(pathPrefix+"/invocation/"):
		s.post(w, r, p[len(pathPrefix+"/invocation/"):])
	default:
		writeError(w, http.StatusNotFound, "InvalidRequest", "unknown Runtime API path "+r.Method+" "+p)
	}
}

// next long-polls for the following invocation, like Lambda's GET /next.
func (s *server) next(w http.ResponseWriter, r *http.Request) {
	s.pollOnce.Do(func() { close(s.polled) })
	select {
	case inv := <-s.queue:
		s.mu.Lock()
		s.inflight[inv.id] = inv
		s.mu.Unlock()
		h := w.Header()
		h.Set(HeaderRequestID, inv.id)
		h.Set(HeaderDeadlineMS, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(HeaderFunctionARN, inv.arn)
		h.Set(HeaderTraceID, inv.traceID)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

// post handles {id}/response and {id}/error.
func (s *server) post(w http.ResponseWriter, r *http.Request, rest string) {
	var id, verb string
	for i := len(rest) - 1; i >= 0; i-- {
		if rest[i] == '/' {
			id, verb = rest[:i], rest[i+1:]
			break
		}
	}
	if verb != "response" && verb != "error" {
		writeError(w, http.StatusNotFound, "InvalidRequest", "unknown Runtime API path POST "+r.URL.Path)
		return
	}
	s.mu.Lock()
	inv := s.inflight[id]
	delete(s.inflight, id)
	s.mu.Unlock()
	if inv == nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight with request id "+strconv.Quote(id))
		return
	}
	limit := int64(MaxResponseBytes)
	if verb == "error" {
		limit = maxErrorBytes
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	switch {
	case err != nil:
		inv.finish(outcome{err: platformError(ErrorTypeExit, id, "reading the runtime's %s: %v", verb, err)})
		writeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
	case int64(len(body)) > limit:
		inv.finish(outcome{err: platformError(ErrorTypeResponseSize, id,
			"Response payload size exceeded maximum allowed payload size (%d bytes).", limit)})
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "payload over the limit")
	case verb == "error":
		inv.finish(outcome{err: parseFunctionError(body, r.Header.Get(HeaderErrorType))})
		accepted(w)
	case r.Trailer.Get(HeaderErrorType) != "":
		// A streamed response that failed midway reports its error in trailers.
		msg, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(headerErrorBody))
		inv.finish(outcome{err: parseFunctionError(msg, r.Trailer.Get(HeaderErrorType))})
		accepted(w)
	default:
		inv.finish(outcome{payload: body})
		accepted(w)
	}
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}
