package keyops

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// PrincipalHeader is the header the local HTTP adapter reads the caller from:
// `make local` has no API Gateway to verify SigV4, so it trusts this header (and
// binds to 127.0.0.1 only).
const PrincipalHeader = "X-Keyward-Principal"

// HTTPHandler serves the same Handler over plain net/http, for `make local`: each
// request is turned into the API Gateway HTTP API (2.0) event that Lambda would
// receive, with the caller's ARN from PrincipalHeader (or DefaultPrincipal).
type HTTPHandler struct {
	API              *Handler
	DefaultPrincipal string
}

// ServeHTTP implements http.Handler.
func (a HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxEncryptBody+1))
	if err != nil {
		http.Error(w, `{"error":{"code":"BadRequest","message":"unreadable body"}}`, http.StatusBadRequest)
		return
	}
	resp, _ := a.API.Handle(r.Context(), LocalEvent(r, body, a.DefaultPrincipal))
	WriteHTTPResponse(w, resp)
}

// LocalEvent is EventFromHTTP with the IAM authorizer's caller taken from
// PrincipalHeader (or defaultPrincipal when the header is absent).
func LocalEvent(r *http.Request, body []byte, defaultPrincipal string) events.APIGatewayV2HTTPRequest {
	ev := EventFromHTTP(r, body)
	principal := r.Header.Get(PrincipalHeader)
	if principal == "" {
		principal = defaultPrincipal
	}
	if principal != "" {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: principal},
		}
	}
	return ev
}

// WriteHTTPResponse writes an API Gateway HTTP API (2.0) response as API Gateway
// does: headers, multi-value headers, cookies, status, and the body (decoded
// when base64-encoded).
func WriteHTTPResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	if resp.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(resp.Body)
		_, _ = w.Write(b)
		return
	}
	_, _ = io.WriteString(w, resp.Body)
}

// EventFromHTTP builds the API Gateway HTTP API (payload 2.0) event of an HTTP
// request, without an authorizer.
func EventFromHTTP(r *http.Request, body []byte) events.APIGatewayV2HTTPRequest {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default",
		RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Headers: map[string]string{},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "$default", Stage: "$default", RequestID: hex.EncodeToString(id),
			Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto,
				SourceIP: strings.Split(r.RemoteAddr, ":")[0], UserAgent: r.UserAgent(),
			},
		},
	}
	for k, vs := range r.Header {
		ev.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}
