package stack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/keyward/keyward/localstack/runtimeapi"
	"github.com/keyward/keyward/shared/keyops"
)

// fakeFunction records the event it got and answers with a fixed response.
type fakeFunction struct {
	got  events.APIGatewayV2HTTPRequest
	resp []byte
	err  error
}

func (f *fakeFunction) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	if err := json.Unmarshal(payload, &f.got); err != nil {
		return nil, err
	}
	return f.resp, f.err
}

func TestAPIGatewayTurnsRequestsIntoHTTPAPIEvents(t *testing.T) {
	tests := []struct {
		name          string
		principal     string
		resp          string
		err           error
		wantStatus    int
		wantBody      string
		wantPrincipal string
	}{
		{name: "default caller", resp: `{"statusCode":201,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`,
			wantStatus: 201, wantBody: `{"ok":true}`, wantPrincipal: keyops.LocalDeveloper},
		{name: "caller from the header", principal: "arn:aws:iam::111122223333:role/app",
			resp: `{"statusCode":403,"body":"{}"}`, wantStatus: 403, wantBody: `{}`, wantPrincipal: "arn:aws:iam::111122223333:role/app"},
		{name: "base64 body", resp: `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`,
			wantStatus: 200, wantBody: "hi", wantPrincipal: keyops.LocalDeveloper},
		{name: "function error is API Gateway's 500", err: &runtimeapi.FunctionError{Type: "Runtime.ExitError"},
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantPrincipal: keyops.LocalDeveloper},
		{name: "not an HTTP API response", resp: `{"revoked":1}`,
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantPrincipal: keyops.LocalDeveloper},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFunction{resp: []byte(tt.resp), err: tt.err}
			req := httptest.NewRequest(http.MethodPost, "/v1/encrypt?x=1", strings.NewReader(`{"key":"alias/a"}`))
			if tt.principal != "" {
				req.Header.Set(keyops.PrincipalHeader, tt.principal)
			}
			rec := httptest.NewRecorder()
			APIGateway{Function: f, DefaultPrincipal: keyops.LocalDeveloper}.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			ev := f.got
			if ev.Version != "2.0" || ev.RequestContext.HTTP.Method != http.MethodPost || ev.RawPath != "/v1/encrypt" ||
				ev.QueryStringParameters["x"] != "1" || ev.Body != `{"key":"alias/a"}` {
				t.Errorf("event = %+v", ev)
			}
			if a := ev.RequestContext.Authorizer; a == nil || a.IAM == nil || a.IAM.UserARN != tt.wantPrincipal {
				t.Errorf("authorizer = %+v, want IAM caller %s", a, tt.wantPrincipal)
			}
		})
	}
}
