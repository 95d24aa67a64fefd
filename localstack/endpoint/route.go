package endpoint

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// ServeHTTP routes a request by protocol, as AWS's front ends do: the JSON
// protocols by X-Amz-Target, then the SigV4 signing name for query (STS, SNS) and
// REST (S3) services, then, for unsigned requests, the form's Action.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := awsapi.NewUUID()
	w.Header().Set("x-amzn-RequestId", requestID)
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("endpoint: panic", "requestId", requestID, "panic", v)
			writeJSONError(w, asAWSError(nil, "InternalFailure"), "application/x-amz-json-1.1", "")
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/_keyward/") || strings.HasPrefix(r.URL.Path, "/_localstack/") {
		s.debug.ServeHTTP(w, r)
		return
	}
	scope, signed := parseCredentialScope(r)
	call := &awsapi.Call{
		Service:   scope.Service,
		Region:    scope.Region,
		RequestID: requestID,
		Time:      time.Now().UTC(),
		Caller:    s.opts.Principals.Caller(scope.AccessKeyID),
	}
	if call.Region == "" {
		call.Region = s.opts.Region
	}
	call.Caller.SourceIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	call.Caller.UserAgent = r.UserAgent()

	if target := r.Header.Get("X-Amz-Target"); target != "" {
		s.serveJSON(w, r, call, target)
		return
	}
	s.mu.RLock()
	q, isQuery := s.query[scope.Service]
	rs, isREST := s.rest[scope.Service]
	if !signed {
		q, isQuery = s.unsignedQueryService(w, r)
		if !isQuery {
			rs, isREST = s.rest["s3"]
		}
	}
	s.mu.RUnlock()
	switch {
	case isQuery:
		s.serveQuery(w, r, call, q)
	case isREST:
		s.serveREST(w, r, call, rs)
	default:
		e := awsapi.NewError(http.StatusBadRequest, "UnknownOperationException",
			"no local service for this request (signing name %q, path %q)", scope.Service, r.URL.Path)
		writeJSONError(w, e, "application/x-amz-json-1.1", "")
	}
}

// unsignedQueryService guesses the query service of an unsigned form POST from
// its Action: STS's few actions, else SNS. Callers hold s.mu.
func (s *Server) unsignedQueryService(w http.ResponseWriter, r *http.Request) (awsapi.QueryService, bool) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil, false
	}
	// ParseForm keeps the values in r.Form, so serveQuery sees them again.
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	_ = r.ParseForm()
	action := r.Form.Get("Action")
	if strings.HasPrefix(action, "GetCallerIdentity") || strings.HasPrefix(action, "AssumeRole") {
		q, ok := s.query["sts"]
		return q, ok
	}
	q, ok := s.query["sns"]
	return q, ok
}
