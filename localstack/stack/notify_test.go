package stack

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keyward/keyward/localstack/endpoint"
)

// TestLogFileNotificationsReachAuditAsSQSBatches puts objects through the real
// S3 of the endpoint and checks the audit side receives SQS events carrying S3
// ObjectCreated notifications, in order, retried after a failed batch.
func TestLogFileNotificationsReachAuditAsSQSBatches(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	calls := 0
	deliver := func(_ context.Context, payload []byte) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Errorf("payload is not an SQS event: %v", err)
		}
		if calls == 1 { // the first batch fails as a whole: it must come again
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"` + ev.Records[0].MessageId + `"}]}`), nil
		}
		for _, m := range ev.Records {
			var s3ev events.S3Event
			if err := json.Unmarshal([]byte(m.Body), &s3ev); err != nil || len(s3ev.Records) != 1 || m.EventSource != "aws:sqs" {
				t.Errorf("message %+v is not one S3 notification (%v)", m, err)
				continue
			}
			r := s3ev.Records[0]
			if !strings.HasPrefix(r.EventName, "ObjectCreated:") || r.S3.Bucket.Name != "trail" {
				t.Errorf("record = %+v", r)
			}
			keys = append(keys, r.S3.Object.Key)
		}
		return []byte(`{"batchItemFailures":[]}`), nil
	}
	n := newNotifier("us-east-1", "111122223333", "trail-logs", deliver, slog.New(slog.DiscardHandler))
	defer n.close()
	srv, err := endpoint.Start(context.Background(), endpoint.Options{Addr: "127.0.0.1:0", Register: n.register})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(endpoint.DefaultAccessKeyID, "local", "")})
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail")}); err != nil {
		t.Fatal(err)
	}
	want := []string{"AWSLogs/1.json.gz", "AWSLogs/2.json.gz", "AWSLogs/3.json.gz"}
	for _, k := range want {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String(k),
			Body: strings.NewReader("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := strings.Join(keys, ",")
		mu.Unlock()
		if got == strings.Join(want, ",") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered keys %q, want %q once each in order", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
