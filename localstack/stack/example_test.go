package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"

	"github.com/aws/aws-lambda-go/events"

	"github.com/keyward/keyward/localstack/stack"
)

// echoCaller answers with the IAM caller API Gateway put in the event.
type echoCaller struct{}

func (echoCaller) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(payload, &ev)
	return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200,
		Body: ev.RequestContext.HTTP.Method + " " + ev.RawPath + " by " + ev.RequestContext.Authorizer.IAM.UserARN})
}

// APIGateway puts an HTTP API (payload 2.0) in front of a function; `make local`
// puts it in front of the keyops bootstrap (a *runtimeapi.Function).
func ExampleAPIGateway() {
	srv := httptest.NewServer(stack.APIGateway{Function: echoCaller{},
		DefaultPrincipal: "arn:aws:iam::111122223333:user/keyward-local"})
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/v1/keys")
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, string(b))
	// Output: 200 GET /v1/keys by arn:aws:iam::111122223333:user/keyward-local
}
