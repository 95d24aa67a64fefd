package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

const dynamoDBTargetPrefix = "DynamoDB_20120810"

// internalCode is the code a service's own 500 carries, so the SDK's typed error
// for it matches (KMS: KMSInternalException; Secrets Manager: InternalServiceError).
func internalCode(targetPrefix string) string {
	switch targetPrefix {
	case "TrentService":
		return "KMSInternalException"
	case "secretsmanager":
		return "InternalServiceError"
	}
	return "InternalFailure"
}

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, call *awsapi.Call, target string) {
	prefix, op, _ := strings.Cut(target, ".")
	if prefix == dynamoDBTargetPrefix {
		s.serveDynamoDB(w, r, op)
		return
	}
	s.mu.RLock()
	route, ok := s.json[prefix]
	s.mu.RUnlock()
	if !ok || op == "" {
		writeJSONError(w, awsapi.UnknownOperation(target), "application/x-amz-json-1.1", "")
		return
	}
	call.Operation = op
	if call.Service == "" {
		call.Service = route.signingName
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		e := awsapi.Serialization("cannot read request body")
		if errors.As(err, &tooBig) {
			e = awsapi.NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
				"request body exceeds %d bytes", tooBig.Limit)
		}
		s.traceJSON(route, call, nil, e)
		writeJSONError(w, e, route.contentType, "")
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	call.Body = body
	out, err := s.invokeJSON(awsapi.WithCall(r.Context(), call), route.svc, call)
	s.traceJSON(route, call, out, err)
	if err != nil {
		e := asAWSError(err, internalCode(prefix))
		if e.Status >= 500 {
			s.log.Error("endpoint: service failure", "service", call.Service, "operation", op,
				"requestId", call.RequestID, "err", err)
		}
		writeJSONError(w, e, route.contentType, "")
		return
	}
	b := []byte("{}")
	if out != nil {
		if b, err = json.Marshal(out); err != nil {
			s.log.Error("endpoint: encode response", "operation", op, "err", err)
			writeJSONError(w, asAWSError(err, internalCode(prefix)), route.contentType, "")
			return
		}
	}
	w.Header().Set("Content-Type", route.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// invokeJSON calls the service, turning a panic into an internal error so one bad
// request never takes the endpoint down.
func (s *Server) invokeJSON(ctx context.Context, svc awsapi.JSONService, call *awsapi.Call) (out any, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("panic in %s.%s: %v", call.Service, call.Operation, v)
		}
	}()
	return svc.Serve(ctx, call)
}

// traceJSON hands a finished call to the CloudTrail tap when the service is traced.
func (s *Server) traceJSON(route jsonRoute, call *awsapi.Call, out any, err error) {
	prefix := route.prefix
	t, ok := route.svc.(awsapi.Traced)
	if !ok || s.Trail == nil {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("endpoint: panic in TrailDetails", "operation", call.Operation, "panic", v)
		}
	}()
	d := t.TrailDetails(call, out, err)
	var e *awsapi.Error
	if err != nil {
		e = asAWSError(err, internalCode(prefix))
	}
	s.Trail.APICall(call, d, e)
}
