package endpoint_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
	"github.com/keyward/keyward/localstack/trail"
)

func post(t *testing.T, srv *endpoint.Server, target, service, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if service != "" {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHealth(t *testing.T) {
	srv := endpointtest.StartWithoutDynamoDB(t)
	resp, err := http.Get(srv.URL + "/_keyward/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Status   string
		Services map[string]string
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || h.Status != "ok" ||
		h.Services["kms"] != "running" || h.Services["sts"] != "running" || h.Services["secretsmanager"] != "running" {
		t.Fatalf("health = %+v, %v", h, err)
	}
	if _, ok := h.Services["dynamodb"]; ok {
		t.Fatal("dynamodb reported running without DynamoDB Local")
	}
}

func TestJSONErrorsCarryTypeHeaderAndBody(t *testing.T) {
	srv := endpointtest.StartWithoutDynamoDB(t)
	tests := []struct {
		name, target, service, body string
		status                      int
		code                        string
	}{
		{"unknown target prefix", "Nope_2020.Do", "kms", "{}", 400, "UnknownOperationException"},
		{"target without operation", "TrentService", "kms", "{}", 400, "UnknownOperationException"},
		{"unknown operation", "TrentService.Sign2", "kms", "{}", 400, "UnknownOperationException"},
		{"not JSON", "TrentService.ListKeys", "kms", "\x00\x01", 400, "SerializationException"},
		{"DynamoDB without DynamoDB Local", "DynamoDB_20120810.ListTables", "dynamodb", "{}", 400, "UnknownOperationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, srv, tc.target, tc.service, "application/x-amz-json-1.1", tc.body)
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if resp.StatusCode != tc.status || !strings.HasSuffix(e.Type, tc.code) ||
				resp.Header.Get("X-Amzn-ErrorType") != tc.code || resp.Header.Get("x-amzn-RequestId") == "" {
				t.Fatalf("got %d %s %q (header %q)", resp.StatusCode, e.Type, e.Message, resp.Header.Get("X-Amzn-ErrorType"))
			}
		})
	}
}

func TestQueryErrorsAreXML(t *testing.T) {
	srv := endpointtest.StartWithoutDynamoDB(t)
	resp, body := post(t, srv, "", "sts", "application/x-www-form-urlencoded", "Action=AssumeRoot&Version=2011-06-15")
	var e struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		RequestID string   `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != 400 || e.Code != "InvalidAction" ||
		e.Type != "Sender" || e.RequestID == "" {
		t.Fatalf("got %d %+v %v: %s", resp.StatusCode, e, err, body)
	}
	resp, body = post(t, srv, "", "sts", "application/x-www-form-urlencoded", "Version=2011-06-15")
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>MissingAction</Code>") {
		t.Fatalf("missing Action: %d %s", resp.StatusCode, body)
	}
}

// restStub is a REST service that fails with NoSuchKey for every request.
type restStub struct{}

func (restStub) ServeREST(w http.ResponseWriter, r *http.Request, call *awsapi.Call) error {
	if r.URL.Path == "/ok" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return awsapi.NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}

// panicky panics on every call.
type panicky struct{}

func (panicky) Serve(context.Context, *awsapi.Call) (any, error) { panic("boom") }

func TestRESTErrorsAndPanicsAreContained(t *testing.T) {
	srv := endpointtest.StartWith(t, endpoint.Options{Register: func(s *endpoint.Server) error {
		s.RegisterREST("s3stub", restStub{})
		s.RegisterJSON("Panicky", "panicky", panicky{})
		return nil
	}})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/bucket/key", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/s3stub/aws4_request, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(b), "<Code>NoSuchKey</Code>") || !strings.Contains(string(b), "<RequestId>") {
		t.Fatalf("REST error: %d %s", resp.StatusCode, b)
	}
	req.Method = http.MethodHead
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("HEAD: %v %v", resp, err)
	}
	resp.Body.Close()

	resp2, body := post(t, srv, "Panicky.Anything", "panicky", "application/x-amz-json-1.1", "{}")
	if resp2.StatusCode != 500 || !strings.Contains(body, "InternalFailure") || strings.Contains(body, "boom") {
		t.Fatalf("panic: %d %s", resp2.StatusCode, body)
	}
	// The endpoint still serves after the panic.
	if r, _ := post(t, srv, "TrentService.ListKeys", "kms", "application/x-amz-json-1.1", "{}"); r.StatusCode != 200 {
		t.Fatalf("after panic: %d", r.StatusCode)
	}
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	start := func() *endpoint.Server {
		srv, err := endpoint.Start(ctx, endpoint.Options{Addr: "127.0.0.1:0", DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	c := kms.NewFromConfig(endpointtest.Config(srv, ""))
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("persist")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/persist"), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/persist"), Plaintext: []byte("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv = start()
	defer srv.Close()
	c = kms.NewFromConfig(endpointtest.Config(srv, ""))
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: aws.String("alias/persist")})
	if err != nil || string(dec.Plaintext) != "kept" {
		t.Fatalf("Decrypt after restart = %v, %v", dec, err)
	}
	lines, err := os.ReadFile(filepath.Join(dir, "cloudtrail", "events.jsonl"))
	if err != nil || strings.Count(string(lines), "\n") < 4 {
		t.Fatalf("trail file: %d lines, %v", strings.Count(string(lines), "\n"), err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary state file left: %s", e.Name())
		}
	}
}

// FuzzKMSRequests throws arbitrary bodies at every KMS operation: the endpoint
// must answer each with 200 or a 4xx AWS error, never a 5xx or a crash.
func FuzzKMSRequests(f *testing.F) {
	srv, err := endpoint.Start(context.Background(), endpoint.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	for _, seed := range []string{`{}`, `{"KeyId":"alias/x","Plaintext":"aGk="}`, `{"CiphertextBlob":"AQID"}`,
		`{"NumberOfBytes":-1}`, `{"Limit":0,"Marker":"x"}`, `{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/"}`,
		`{"GrantToken":"a2d3MQ=="}`, `{"Tags":[{"TagKey":""}]}`, `null`, `[]`, `{"KeyId":{}}`} {
		for _, op := range []string{"Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "CreateKey", "DescribeKey",
			"ListAliases", "CreateGrant", "RetireGrant", "TagResource", "ScheduleKeyDeletion", "GenerateRandom"} {
			f.Add(op, seed)
		}
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "TrentService."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", op, body, rec.Code, rec.Body)
		}
	})
}

// Without WaitForDynamoDB the endpoint serves at once; a DynamoDB call made while
// DynamoDB Local is still starting waits for it instead of failing.
func TestDynamoDBCallsWaitForDynamoDBLocal(t *testing.T) {
	srv, err := endpoint.Start(context.Background(), endpoint.Options{Addr: "127.0.0.1:0", DynamoDB: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, body := post(t, srv, "TrentService.ListKeys", "kms", "application/x-amz-json-1.1", "{}")
	if resp.StatusCode != 200 {
		t.Fatalf("KMS while DynamoDB Local starts: %d %s", resp.StatusCode, body)
	}
	resp, body = post(t, srv, "DynamoDB_20120810.ListTables", "dynamodb", "application/x-amz-json-1.0", "{}")
	if resp.StatusCode != 200 || !strings.Contains(body, "TableNames") {
		t.Fatalf("ListTables: %d %s", resp.StatusCode, body)
	}
	if srv.DynamoDBURL() == "" {
		t.Fatal("DynamoDBURL empty after a DynamoDB call succeeded")
	}
}

func TestTrailLogFilesLandInLocalS3(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv, err := endpoint.Start(ctx, endpoint.Options{Addr: "127.0.0.1:0", DataDir: dir, TrailBucket: "keyward-trail"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := kms.NewFromConfig(endpointtest.Config(srv, "AKIDALICE")).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil { // flushes the pending records into a log file
		t.Fatal(err)
	}

	srv, err = endpoint.Start(ctx, endpoint.Options{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s3c := s3.NewFromConfig(endpointtest.Config(srv, ""), func(o *s3.Options) { o.UsePathStyle = true })
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("keyward-trail"),
		Prefix: aws.String("AWSLogs/111122223333/CloudTrail/us-east-1/")})
	if err != nil || len(list.Contents) != 1 || !strings.HasSuffix(aws.ToString(list.Contents[0].Key), ".json.gz") {
		t.Fatalf("ListObjectsV2 = %+v, %v", list, err)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("keyward-trail"), Key: list.Contents[0].Key})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	zr, err := gzip.NewReader(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Records []trail.Record }
	if err := json.NewDecoder(zr).Decode(&doc); err != nil || len(doc.Records) != 1 {
		t.Fatalf("log file: %v %+v", err, doc)
	}
	r := doc.Records[0]
	if r.EventName != "CreateKey" || r.UserIdentity.UserName != "alice" || r.Resources[0].ARN != aws.ToString(k.KeyMetadata.Arn) {
		t.Fatalf("record = %+v", r)
	}
}
