package stack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/keyward/keyward/localstack/runtimeapi"
	"github.com/keyward/keyward/shared/keyops"
)

// serveAPI serves the keyops API on APIAddr through the keyops bootstrap.
func (s *Stack) serveAPI() error {
	ln, err := listen(s.opts.APIAddr)
	if err != nil {
		return err
	}
	s.APIURL = "http://" + ln.Addr().String()
	f, _ := s.Functions.Lookup(s.opts.Env.Function("keyops"))
	s.api = &http.Server{Handler: APIGateway{Function: f, DefaultPrincipal: keyops.LocalDeveloper},
		ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.api.Serve(ln) }()
	return nil
}

// Invoker runs one function (a *runtimeapi.Function).
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// APIGateway plays API Gateway's HTTP API (payload 2.0) in front of a function:
// each request becomes the event Lambda receives — with the IAM authorizer's
// caller taken from keyops.PrincipalHeader (default DefaultPrincipal), as
// keyops.HTTPHandler does — and the function's response becomes the HTTP
// response. A failed invocation is API Gateway's 500 {"message":"Internal Server Error"}.
type APIGateway struct {
	Function         Invoker
	DefaultPrincipal string
}

// ServeHTTP implements http.Handler.
func (g APIGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, keyops.MaxEncryptBody+1))
	if err != nil {
		http.Error(w, `{"message":"unreadable body"}`, http.StatusBadRequest)
		return
	}
	ev := keyops.LocalEvent(r, body, g.DefaultPrincipal)
	payload, err := json.Marshal(ev)
	if err != nil {
		internalError(w)
		return
	}
	out, err := g.Function.Invoke(r.Context(), payload)
	var resp events.APIGatewayV2HTTPResponse
	if err == nil {
		err = json.Unmarshal(out, &resp)
	}
	if err != nil || resp.StatusCode == 0 {
		var fe *runtimeapi.FunctionError
		if errors.As(err, &fe) {
			w.Header().Set("X-Amzn-Errortype", fe.Type)
		}
		internalError(w)
		return
	}
	keyops.WriteHTTPResponse(w, resp)
}

func internalError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, `{"message":"Internal Server Error"}`)
}
