package s3_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/s3"
)

// OnObjectCreated sees every PutObject; Record gives it the shape S3 event
// notifications have, to feed an S3→SQS-style path.
func ExampleObjectCreated_Record() {
	svc, _ := s3.New(s3.Options{OnObjectCreated: func(o s3.ObjectCreated) {
		r := o.Record()
		fmt.Println(r.EventName, r.S3.Bucket.Name, r.S3.Object.Key, r.S3.Object.Size)
	}})
	for _, req := range []struct{ method, path, body string }{
		{"PUT", "/trail-logs", ""},
		{"PUT", "/trail-logs/AWSLogs/111122223333/CloudTrail/file 1.json.gz", "{}"},
	} {
		r := httptest.NewRequest(req.method, "http://127.0.0.1:4566/x", strings.NewReader(req.body))
		r.URL.Path = req.path
		_ = svc.ServeREST(httptest.NewRecorder(), r, &awsapi.Call{})
	}
	// Output:
	// ObjectCreated:Put trail-logs AWSLogs/111122223333/CloudTrail/file+1.json.gz 2
}
