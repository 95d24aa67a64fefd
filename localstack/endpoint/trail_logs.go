package endpoint

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/keyward/keyward/localstack/trail"
)

// startTrailLogFiles creates the bucket in the endpoint's own S3 and subscribes
// a log file writer that puts CloudTrail log files into it, in process.
func (s *Server) startTrailLogFiles(bucket string) error {
	status, body := s.inProcessS3(context.Background(), http.MethodPut, "/"+bucket, nil)
	if status/100 != 2 && !bytes.Contains(body, []byte("BucketAlreadyOwnedByYou")) {
		return fmt.Errorf("endpoint: create trail bucket %s: %d %s", bucket, status, body)
	}
	s.logs = trail.NewLogFileWriter(bucket, func(ctx context.Context, bucket, key string, data []byte) error {
		status, body := s.inProcessS3(ctx, http.MethodPut, "/"+bucket+"/"+key, data)
		if status/100 != 2 {
			return fmt.Errorf("PUT %s/%s: %d %s", bucket, key, status, body)
		}
		return nil
	}, 0)
	s.Trail.AddTarget(s.logs)
	return nil
}

// inProcessS3 sends one request to the endpoint's S3 without the network, as
// the account's default principal.
func (s *Server) inProcessS3(ctx context.Context, method, path string, body []byte) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, method, "http://localhost"+path, bytes.NewReader(body))
	if err != nil {
		return http.StatusBadRequest, []byte(err.Error())
	}
	req.RemoteAddr = "127.0.0.1:0"
	req.ContentLength = int64(len(body))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+DefaultAccessKeyID+"/20260101/"+s.opts.Region+
		"/s3/aws4_request, SignedHeaders=host, Signature=0")
	if strings.HasSuffix(path, ".gz") {
		req.Header.Set("Content-Type", "application/x-gzip")
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	s.ServeHTTP(rec, req)
	return rec.status, rec.body.Bytes()
}

// recorder is the minimal ResponseWriter in-process requests need.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

var _ io.Writer = (*recorder)(nil)
