package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keyward/keyward/localstack/awsapi"
)

// serve runs one request through the service the way the endpoint does,
// writing an error as S3's <Error> document.
func serve(t *testing.T, s *Service, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	if err := s.ServeREST(w, req, &awsapi.Call{Service: "s3"}); err != nil {
		var ae *awsapi.Error
		if !errors.As(err, &ae) {
			t.Fatalf("%s %s: internal error %v", req.Method, req.URL, err)
		}
		w.WriteHeader(ae.Status)
		fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", ae.Code, ae.Message)
	}
	return w
}

func do(t *testing.T, s *Service, method, path string, body []byte, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:4566"+path, bytes.NewReader(body))
	if body == nil {
		req.ContentLength = 0
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return serve(t, s, req)
}

func errCode(w *httptest.ResponseRecorder) string {
	var e struct{ Code string }
	_ = xml.Unmarshal(w.Body.Bytes(), &e)
	return e.Code
}

func stores(t *testing.T) map[string]*Service {
	mem, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	dsk, err := New(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Service{"memory": mem, "disk": dsk}
}

func TestObjectRoundTrip(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			if w := do(t, s, "PUT", "/logs", nil); w.Code != 200 {
				t.Fatalf("CreateBucket = %d %s", w.Code, w.Body)
			}
			body := []byte(`{"Records":[]}`)
			sum := md5.Sum(body)
			w := do(t, s, "PUT", "/logs/AWSLogs/111122223333/CloudTrail/a%20b.json.gz", body,
				"Content-Type", "application/json", "x-amz-meta-origin", "tap", "Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			if w.Code != 200 || w.Header().Get("ETag") != fmt.Sprintf(`"%x"`, sum) || w.Header().Get("X-Amz-Server-Side-Encryption") != "AES256" {
				t.Fatalf("PutObject = %d %v %s", w.Code, w.Header(), w.Body)
			}
			g := do(t, s, "GET", "/logs/AWSLogs/111122223333/CloudTrail/a%20b.json.gz", nil)
			if g.Code != 200 || g.Body.String() != string(body) || g.Header().Get("Content-Type") != "application/json" || g.Header().Get("X-Amz-Meta-Origin") != "tap" {
				t.Fatalf("GetObject = %d %v %q", g.Code, g.Header(), g.Body)
			}
			rg := do(t, s, "GET", "/logs/AWSLogs/111122223333/CloudTrail/a%20b.json.gz", nil, "Range", "bytes=2-8")
			if rg.Code != 206 || rg.Body.String() != string(body[2:9]) {
				t.Errorf("range = %d %q", rg.Code, rg.Body)
			}
			h := do(t, s, "HEAD", "/logs/AWSLogs/111122223333/CloudTrail/a%20b.json.gz", nil)
			if h.Code != 200 || h.Header().Get("Content-Length") != fmt.Sprint(len(body)) || h.Body.Len() != 0 {
				t.Errorf("HeadObject = %d %v", h.Code, h.Header())
			}
			if d := do(t, s, "DELETE", "/logs/AWSLogs/111122223333/CloudTrail/a%20b.json.gz", nil); d.Code != 204 {
				t.Errorf("DeleteObject = %d", d.Code)
			}
			if g := do(t, s, "GET", "/logs/AWSLogs/111122223333/CloudTrail/a%20b.json.gz", nil); g.Code != 404 || errCode(g) != "NoSuchKey" {
				t.Errorf("after delete = %d %s", g.Code, g.Body)
			}
			if d := do(t, s, "DELETE", "/logs/never", nil); d.Code != 204 {
				t.Errorf("DeleteObject of a missing key = %d", d.Code)
			}
		})
	}
}

func TestS3Errors(t *testing.T) {
	s, _ := New(Options{MaxObjectBytes: 1024})
	do(t, s, "PUT", "/b-1", nil)
	cases := []struct {
		name, method, path string
		body               []byte
		hdr                []string
		status             int
		code               string
	}{
		{"no such bucket", "GET", "/nope/k", nil, nil, 404, "NoSuchBucket"},
		{"no such bucket list", "GET", "/nope?list-type=2", nil, nil, 404, "NoSuchBucket"},
		{"put to missing bucket", "PUT", "/nope/k", []byte("x"), nil, 404, "NoSuchBucket"},
		{"no such key", "GET", "/b-1/k", nil, nil, 404, "NoSuchKey"},
		{"upper-case bucket", "PUT", "/Bad", nil, nil, 400, "InvalidBucketName"},
		{"short bucket", "PUT", "/ab", nil, nil, 400, "InvalidBucketName"},
		{"ip bucket", "PUT", "/192.168.1.1", nil, nil, 400, "InvalidBucketName"},
		{"dots bucket", "PUT", "/a..b", nil, nil, 400, "InvalidBucketName"},
		{"too large", "PUT", "/b-1/k", make([]byte, 1025), nil, 400, "EntityTooLarge"},
		{"bad md5", "PUT", "/b-1/k", []byte("x"), []string{"Content-MD5", base64.StdEncoding.EncodeToString(make([]byte, 16))}, 400, "BadDigest"},
		{"md5 not base64", "PUT", "/b-1/k", []byte("x"), []string{"Content-MD5", "%%%"}, 400, "InvalidDigest"},
		{"bad crc32", "PUT", "/b-1/k", []byte("x"), []string{"x-amz-checksum-crc32", "AAAAAA=="}, 400, "BadDigest"},
		{"bad sha256 header", "PUT", "/b-1/k", []byte("x"), []string{"x-amz-content-sha256", strings.Repeat("0", 64)}, 400, "XAmzContentSHA256Mismatch"},
		{"key too long", "PUT", "/b-1/" + strings.Repeat("k", 1025), []byte("x"), nil, 400, "KeyTooLongError"},
		{"bad chunked", "PUT", "/b-1/k", []byte("zz\r\nabc"), []string{"Content-Encoding", "aws-chunked", "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, 400, "IncompleteBody"},
		{"copy not implemented", "PUT", "/b-1/k", nil, []string{"x-amz-copy-source", "/b-1/j"}, 501, "NotImplemented"},
		{"bad max-keys", "GET", "/b-1?list-type=2&max-keys=x", nil, nil, 400, "InvalidArgument"},
		{"bad token", "GET", "/b-1?list-type=2&continuation-token=%25", nil, nil, 400, "InvalidArgument"},
		{"post", "POST", "/b-1/k", nil, nil, 405, "MethodNotAllowed"},
		{"bad sse", "PUT", "/b-1/k", []byte("x"), []string{"x-amz-server-side-encryption", "rot13"}, 400, "InvalidArgument"},
		{"bucket not empty", "DELETE", "/full", nil, nil, 409, "BucketNotEmpty"},
	}
	do(t, s, "PUT", "/full", nil)
	do(t, s, "PUT", "/full/x", []byte("1"))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, s, tc.method, tc.path, tc.body, tc.hdr...)
			if w.Code != tc.status || errCode(w) != tc.code {
				t.Errorf("= %d %s, want %d %s", w.Code, w.Body, tc.status, tc.code)
			}
			if len(s.buckets["b-1"].objects) != 0 {
				t.Error("a refused request stored an object")
			}
		})
	}
}

func TestKeysNeverBecomePaths(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	s, err := New(Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	do(t, s, "PUT", "/b-1", nil)
	for _, key := range []string{"../../escape", "..%2F..%2Fescape2", "/abs", "a/../../b", "..", ".", "con", "nul\x00byte"} {
		req := httptest.NewRequest("PUT", "http://127.0.0.1/b-1/x", strings.NewReader("evil"))
		req.URL.Path = "/b-1/" + key
		if w := serve(t, s, req); w.Code != 200 {
			t.Errorf("%q: %d %s", key, w.Code, w.Body)
		}
		req = httptest.NewRequest("GET", "http://127.0.0.1/b-1/x", nil)
		req.URL.Path = "/b-1/" + key
		if w := serve(t, s, req); w.Body.String() != "evil" {
			t.Errorf("%q read back %q", key, w.Body)
		}
	}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if rel, _ := filepath.Rel(data, p); strings.HasPrefix(rel, "..") && p != dir {
			t.Errorf("file outside the data dir: %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiskSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	a, _ := New(Options{DataDir: dir})
	do(t, a, "PUT", "/keep", nil)
	do(t, a, "PUT", "/keep/a/b.txt", []byte("hello"), "Content-Type", "text/plain")
	b, err := New(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	g := do(t, b, "GET", "/keep/a/b.txt", nil)
	if g.Body.String() != "hello" || g.Header().Get("Content-Type") != "text/plain" {
		t.Errorf("after restart = %d %v %q", g.Code, g.Header(), g.Body)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "keep", "objects", "*.tmp")); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

func TestAWSChunkedPut(t *testing.T) {
	s, _ := New(Options{})
	do(t, s, "PUT", "/b-1", nil)
	body := "5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
	w := do(t, s, "PUT", "/b-1/k", []byte(body), "Content-Encoding", "aws-chunked", "x-amz-decoded-content-length", "11",
		"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-trailer", "x-amz-checksum-crc32")
	if w.Code != 200 {
		t.Fatalf("chunked put = %d %s", w.Code, w.Body)
	}
	if g := do(t, s, "GET", "/b-1/k", nil); g.Body.String() != "hello world" || g.Header().Get("Content-Encoding") != "" {
		t.Errorf("get = %q %v", g.Body, g.Header())
	}
}

func TestObjectCreatedHook(t *testing.T) {
	var got []ObjectCreated
	s, _ := New(Options{OnObjectCreated: func(o ObjectCreated) { got = append(got, o) }})
	do(t, s, "PUT", "/b-1", nil)
	do(t, s, "PUT", "/b-1/dir/a%20b.json", []byte("{}"))
	do(t, s, "PUT", "/nope/x", []byte("{}")) // failed: no event
	if len(got) != 1 || got[0].Key != "dir/a b.json" || got[0].Size != 2 || got[0].EventName != "ObjectCreated:Put" {
		t.Fatalf("events = %+v", got)
	}
	rec := got[0].Record()
	if body, _ := json.Marshal(got[0].Event()); !strings.Contains(string(body), `"eventName":"ObjectCreated:Put"`) || !strings.Contains(string(body), `"sequencer":"`) {
		t.Errorf("event = %s", body)
	}
	if rec.S3.Object.Key != "dir/a+b.json" || rec.S3.Bucket.Arn != "arn:aws:s3:::b-1" || rec.EventSource != "aws:s3" {
		t.Errorf("record = %+v", rec)
	}
}

func TestListObjects(t *testing.T) {
	s, _ := New(Options{})
	do(t, s, "PUT", "/b-1", nil)
	for _, k := range []string{"a/1", "a/2", "a/b/3", "b/4", "c", "d"} {
		do(t, s, "PUT", "/b-1/"+k, []byte(k))
	}
	list := func(query string) listBucketResult {
		w := do(t, s, "GET", "/b-1?"+query, nil)
		var out listBucketResult
		if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: %v %s", query, err, w.Body)
		}
		return out
	}
	flat := func(r listBucketResult) string {
		var parts []string
		for _, c := range r.Contents {
			parts = append(parts, c.Key)
		}
		for _, p := range r.CommonPrefixes {
			parts = append(parts, p.Prefix+"*")
		}
		return strings.Join(parts, ",")
	}
	cases := []struct{ query, want string }{
		{"list-type=2", "a/1,a/2,a/b/3,b/4,c,d"},
		{"list-type=2&prefix=a/", "a/1,a/2,a/b/3"},
		{"list-type=2&delimiter=/", "c,d,a/*,b/*"},
		{"list-type=2&prefix=a/&delimiter=/", "a/1,a/2,a/b/*"},
		{"list-type=2&start-after=b/4", "c,d"},
		{"list-type=2&prefix=zzz", ""},
	}
	for _, tc := range cases {
		if got := flat(list(tc.query)); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.query, got, tc.want)
		}
	}
	// paging with a delimiter: each common prefix counts once and is never repeated
	var all []string
	q := "list-type=2&delimiter=/&max-keys=1"
	for i := 0; i < 10; i++ {
		r := list(q)
		if f := flat(r); f != "" {
			all = append(all, f)
		}
		if !r.IsTruncated {
			break
		}
		q = "list-type=2&delimiter=/&max-keys=1&continuation-token=" + r.NextContinuationToken
	}
	if got := strings.Join(all, ","); got != "a/*,b/*,c,d" {
		t.Errorf("paged = %q", got)
	}
	if r := list("list-type=2&max-keys=2"); !r.IsTruncated || *r.KeyCount != 2 || r.NextContinuationToken == "" {
		t.Errorf("truncated page = %+v", r)
	}
	if r := list("marker=b/4"); flat(r) != "c,d" {
		t.Errorf("v1 marker = %q", flat(r))
	}
}

func TestListBuckets(t *testing.T) {
	s, _ := New(Options{})
	do(t, s, "PUT", "/zz-b", nil)
	do(t, s, "PUT", "/aa-b", nil)
	if w := do(t, s, "PUT", "/aa-b", nil); w.Code != 200 {
		t.Errorf("re-create in us-east-1 = %d", w.Code)
	}
	w := do(t, s, "GET", "/", nil)
	var out listAllMyBucketsResult
	if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Buckets) != 2 || out.Buckets[0].Name != "aa-b" {
		t.Errorf("ListBuckets = %s", w.Body)
	}
	if h := do(t, s, "HEAD", "/aa-b", nil); h.Code != 200 {
		t.Errorf("HeadBucket = %d", h.Code)
	}
	if h := do(t, s, "HEAD", "/none-b", nil); h.Code != 404 {
		t.Errorf("HeadBucket missing = %d", h.Code)
	}
	if d := do(t, s, "DELETE", "/aa-b", nil); d.Code != 204 {
		t.Errorf("DeleteBucket = %d", d.Code)
	}
}

func TestDeleteObjects(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			do(t, s, "PUT", "/b-1", nil)
			for _, k := range []string{"a", "b", "c"} {
				do(t, s, "PUT", "/b-1/"+k, []byte(k))
			}
			body := []byte(`<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object><Object><Key>missing</Key></Object></Delete>`)
			sum := md5.Sum(body)
			w := do(t, s, "POST", "/b-1?delete", body, "Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			var out deleteResult
			if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != 200 || len(out.Deleted) != 3 {
				t.Fatalf("DeleteObjects = %d %s", w.Code, w.Body)
			}
			if len(s.buckets["b-1"].objects) != 1 {
				t.Errorf("left %d objects", len(s.buckets["b-1"].objects))
			}
			for _, bad := range []struct {
				body, md5, code string
			}{
				{"<Delete>", "", "MalformedXML"},
				{"<Delete></Delete>", "", "MalformedXML"},
				{string(body), base64.StdEncoding.EncodeToString(make([]byte, 16)), "BadDigest"},
			} {
				hdr := []string{}
				if bad.md5 != "" {
					hdr = []string{"Content-MD5", bad.md5}
				}
				if w := do(t, s, "POST", "/b-1?delete", []byte(bad.body), hdr...); errCode(w) != bad.code {
					t.Errorf("%q = %d %s", bad.body, w.Code, w.Body)
				}
			}
			if w := do(t, s, "POST", "/nope-b?delete", body); errCode(w) != "NoSuchBucket" {
				t.Errorf("missing bucket = %s", w.Body)
			}
		})
	}
}
