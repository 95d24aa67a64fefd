package endpoint

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/keyward/keyward/localstack/awsapi"
)

const dynamoDBContentType = "application/x-amz-json-1.0"

// newDynamoDBProxy forwards requests to DynamoDB Local unchanged. Compression is
// off so the response bytes (and their x-amz-crc32, which the SDK checks) pass
// through exactly as DynamoDB Local wrote them.
func newDynamoDBProxy(rawURL string, log *slog.Logger) (http.Handler, error) {
	target, err := url.Parse(rawURL)
	if err != nil || target.Host == "" {
		return nil, fmt.Errorf("endpoint: DynamoDB URL %q: %v", rawURL, err)
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
		},
		Transport: &http.Transport{
			DisableCompression:  true,
			MaxIdleConnsPerHost: 64,
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Error("endpoint: DynamoDB Local unreachable", "err", err)
			e := awsapi.NewError(http.StatusServiceUnavailable, "ServiceUnavailable", "DynamoDB Local is not answering: %v", err)
			writeJSONError(w, e, dynamoDBContentType, "com.amazonaws.dynamodb.v20120810#")
		},
	}, nil
}

func (s *Server) serveDynamoDB(w http.ResponseWriter, r *http.Request, op string) {
	select {
	case <-s.ddbReady:
	case <-r.Context().Done():
		return
	}
	if s.ddbErr != nil {
		e := awsapi.NewError(http.StatusServiceUnavailable, "ServiceUnavailable", "DynamoDB Local failed to start: %v", s.ddbErr)
		writeJSONError(w, e, dynamoDBContentType, "com.amazonaws.dynamodb.v20120810#")
		return
	}
	if s.ddbProxy == nil {
		e := awsapi.NewError(http.StatusBadRequest, "UnknownOperationException",
			"DynamoDB is not enabled on this endpoint (start it with DynamoDB Local: -dynamodb)")
		writeJSONError(w, e, dynamoDBContentType, "com.amazonaws.dynamodb.v20120810#")
		return
	}
	s.ddbProxy.ServeHTTP(w, r)
}
