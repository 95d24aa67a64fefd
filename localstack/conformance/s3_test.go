package conformance

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/keyward/keyward/localstack/endpoint"
	"github.com/keyward/keyward/localstack/endpoint/endpointtest"
)

func s3Client() *s3.Client {
	return s3.NewFromConfig(clientConfig(""), func(o *s3.Options) { o.UsePathStyle = true })
}

// bucket creates a bucket no other test uses.
func bucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "conformance-" + hex.EncodeToString(b)
	if _, err := c.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return name
}

func TestS3CreateBucket(t *testing.T) {
	c, ctx := s3Client(), ctxT(t)
	name := bucket(t, c)
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Errorf("HeadBucket: %v", err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Not_Valid")})
	if apiCode(err) != "InvalidBucketName" {
		t.Errorf("invalid name: %v", err)
	}
	l, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || !slices.ContainsFunc(l.Buckets, func(b s3types.Bucket) bool { return aws.ToString(b.Name) == name }) {
		t.Errorf("ListBuckets = %v, %v", l, err)
	}
}

func TestS3PutGetHeadDeleteObject(t *testing.T) {
	c, ctx := s3Client(), ctxT(t)
	name := bucket(t, c)
	body := []byte(`{"Records":[{"eventName":"Decrypt"}]}`)
	for _, key := range []string{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/file.json", "spaces and ünïcode/ä b+c=d", "../../escape", "a//b"} {
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentType: aws.String("application/json"), Metadata: map[string]string{"origin": "conformance"}})
		if err != nil {
			t.Fatalf("PutObject %q: %v", key, err)
		}
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %q: %v", key, err)
		}
		data, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if !bytes.Equal(data, body) || aws.ToString(got.ETag) != aws.ToString(put.ETag) || aws.ToString(got.ContentType) != "application/json" || got.Metadata["origin"] != "conformance" {
			t.Errorf("GetObject %q = %q %+v", key, data, got)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String(key)})
		if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) {
			t.Errorf("HeadObject %q = %+v, %v", key, head, err)
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String(key)}); err != nil {
			t.Errorf("DeleteObject %q: %v", key, err)
		}
	}
	var nsk *s3types.NoSuchKey
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("missing")}); !errors.As(err, &nsk) {
		t.Errorf("GetObject of a missing key: %v", err)
	}
	var nf *s3types.NotFound
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String("missing")}); !errors.As(err, &nf) {
		t.Errorf("HeadObject of a missing key: %v", err)
	}
	// PutObject does not model NoSuchBucket: the code is all the SDK gives
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("conformance-missing-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")}); apiCode(err) != "NoSuchBucket" {
		t.Errorf("PutObject to a missing bucket: %v", err)
	}
}

func TestS3ListObjectsV2(t *testing.T) {
	c, ctx := s3Client(), ctxT(t)
	name := bucket(t, c)
	keys := []string{"logs/2026/01/a", "logs/2026/01/b", "logs/2026/02/c", "logs/readme", "other"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(name), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			all = append(all, aws.ToString(o.Key))
		}
	}
	if !slices.Equal(all, keys) {
		t.Errorf("paged listing = %v", all)
	}
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name), Prefix: aws.String("logs/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	for _, cp := range l.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(cp.Prefix))
	}
	if !slices.Equal(prefixes, []string{"logs/2026/"}) || len(l.Contents) != 1 || aws.ToString(l.Contents[0].Key) != "logs/readme" {
		t.Errorf("delimited listing = %v %+v", prefixes, l.Contents)
	}
	var nsb *s3types.NoSuchBucket
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("conformance-missing-bucket")}); !errors.As(err, &nsb) {
		t.Errorf("listing a missing bucket: %v", err)
	}
}

func TestS3DeleteBucket(t *testing.T) {
	c, ctx := s3Client(), ctxT(t)
	name := bucket(t, c)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); apiCode(err) != "BucketNotEmpty" {
		t.Errorf("deleting a full bucket: %v", err)
	}
	_, _ = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Errorf("DeleteBucket: %v", err)
	}
}

// TestS3StateSurvivesRestart: with a data directory, buckets and objects are on
// disk and survive an endpoint restart.
func TestS3StateSurvivesRestart(t *testing.T) {
	requireLocal(t)
	dir := t.TempDir()
	srv := endpointtest.StartWith(t, endpoint.Options{DataDir: dir})
	client := func() *s3.Client {
		return s3.NewFromConfig(endpointtest.Config(srv, ""), func(o *s3.Options) { o.UsePathStyle = true })
	}
	c, ctx := client(), ctxT(t)
	name := bucket(t, c)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: strings.NewReader("kept")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = endpointtest.StartWith(t, endpoint.Options{DataDir: dir})
	got, err := client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	if b, _ := io.ReadAll(got.Body); string(b) != "kept" {
		t.Errorf("after restart = %q", b)
	}
}

// TestS3HostileKeys sends raw requests whose keys try to leave the data
// directory: they are stored as keys, never as paths.
func TestS3HostileKeys(t *testing.T) {
	requireLocal(t)
	dir := t.TempDir()
	srv := endpointtest.StartWith(t, endpoint.Options{DataDir: filepath.Join(dir, "data")})
	c := s3.NewFromConfig(endpointtest.Config(srv, ""), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := ctxT(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("hostile")}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../../../escape", "..%2F..%2Fescape2", "a/../../../escape3", "%00nul"} {
		req, err := http.NewRequest(http.MethodPut, srv.URL+"/hostile/"+key, strings.NewReader("evil"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("PUT %q = %d", key, resp.StatusCode)
		}
	}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), "escape") {
			t.Errorf("a key became a file: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("hostile")})
	if err != nil || len(l.Contents) != 4 {
		t.Errorf("listing = %+v, %v", l, err)
	}
}

func TestS3ServerSideEncryptionHeaders(t *testing.T) {
	c, ctx := s3Client(), ctxT(t)
	name := bucket(t, c)
	keyARN := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("trail.json.gz"), Body: strings.NewReader("x"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyARN)})
	if err != nil || put.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(put.SSEKMSKeyId) != keyARN {
		t.Fatalf("PutObject = %+v, %v", put, err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String("trail.json.gz")})
	if err != nil || head.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms {
		t.Errorf("HeadObject = %+v, %v", head, err)
	}
	plain, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("plain"), Body: strings.NewReader("x")})
	if err != nil || plain.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Errorf("default encryption = %+v, %v", plain, err)
	}
}

func TestS3DeleteObjects(t *testing.T) {
	c, ctx := s3Client(), ctxT(t)
	name := bucket(t, c)
	for _, k := range []string{"a", "b", "keep"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(name), Delete: &s3types.Delete{
		Objects: []s3types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("b")}, {Key: aws.String("never")}}}})
	if err != nil || len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects = %+v, %v", out, err)
	}
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
	if err != nil || len(l.Contents) != 1 || aws.ToString(l.Contents[0].Key) != "keep" {
		t.Errorf("left = %+v, %v", l.Contents, err)
	}
}
