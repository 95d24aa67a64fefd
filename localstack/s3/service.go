package s3

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/keyward/keyward/localstack/awsapi"
)

// DefaultMaxObjectBytes bounds one PutObject locally (AWS allows 5 GiB).
const DefaultMaxObjectBytes = 64 << 20

// Options configure a Service.
type Options struct {
	DataDir        string // objects on disk under this folder; "" keeps them in memory
	Region         string // default us-east-1
	MaxObjectBytes int64  // default DefaultMaxObjectBytes
	// OnObjectCreated, when set, is called after every successful PutObject, outside
	// any lock, in the order the writes completed.
	OnObjectCreated func(ObjectCreated)
	Now             func() time.Time
}

// Service is the S3 state of one endpoint; safe for concurrent use.
type Service struct {
	opts    Options
	disk    *disk
	mu      sync.RWMutex
	buckets map[string]*bucket
	notify  sync.Mutex // keeps OnObjectCreated calls in write order
	seq     uint32     // write counter for event sequencers
}

// New loads existing buckets from opts.DataDir, if any.
func New(o Options) (*Service, error) {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.MaxObjectBytes <= 0 {
		o.MaxObjectBytes = DefaultMaxObjectBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{opts: o, buckets: map[string]*bucket{}}
	if o.DataDir != "" {
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("s3: %w", err)
		}
		s.disk = &disk{dir: o.DataDir}
		b, err := s.disk.load()
		if err != nil {
			return nil, err
		}
		s.buckets = b
	}
	return s, nil
}

// ServeREST implements awsapi.RESTService: path-style requests
// (/bucket/key), or virtual-hosted ones on a *.localhost host.
func (s *Service) ServeREST(w http.ResponseWriter, r *http.Request, call *awsapi.Call) error {
	bucketName, key := splitPath(r)
	q := r.URL.Query()
	if bucketName == "" {
		if r.Method == http.MethodGet {
			call.Operation = "ListBuckets"
			return s.listBuckets(w)
		}
		return errMethodNotAllowed()
	}
	if !utf8.ValidString(key) {
		return errInvalidArgument("Object key is not valid UTF-8")
	}
	if len(key) > 1024 {
		return awsapi.NewError(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	}
	if key == "" {
		return s.serveBucket(w, r, call, bucketName, q)
	}
	for _, sub := range []string{"uploads", "uploadId", "tagging", "acl", "retention", "legal-hold", "torrent", "restore", "select", "attributes"} {
		if q.Has(sub) {
			return errNotImplemented()
		}
	}
	switch r.Method {
	case http.MethodPut:
		if r.Header.Get("x-amz-copy-source") != "" {
			return errNotImplemented()
		}
		call.Operation = "PutObject"
		return s.putObject(w, r, bucketName, key)
	case http.MethodGet:
		call.Operation = "GetObject"
		return s.getObject(w, r, bucketName, key, true)
	case http.MethodHead:
		call.Operation = "HeadObject"
		return s.getObject(w, r, bucketName, key, false)
	case http.MethodDelete:
		call.Operation = "DeleteObject"
		return s.deleteObject(w, bucketName, key)
	}
	return errMethodNotAllowed()
}

func (s *Service) serveBucket(w http.ResponseWriter, r *http.Request, call *awsapi.Call, name string, q map[string][]string) error {
	if _, ok := q["location"]; ok && r.Method == http.MethodGet {
		call.Operation = "GetBucketLocation"
		return s.getBucketLocation(w, name)
	}
	if _, ok := q["delete"]; ok && r.Method == http.MethodPost {
		call.Operation = "DeleteObjects"
		return s.deleteObjects(w, r, name)
	}
	for sub := range q {
		switch sub {
		case "list-type", "prefix", "delimiter", "continuation-token", "max-keys", "start-after",
			"fetch-owner", "encoding-type", "marker", "x-id":
		default:
			return errNotImplemented()
		}
	}
	switch r.Method {
	case http.MethodPut:
		call.Operation = "CreateBucket"
		return s.createBucket(w, r, name)
	case http.MethodHead:
		call.Operation = "HeadBucket"
		return s.headBucket(w, name)
	case http.MethodDelete:
		call.Operation = "DeleteBucket"
		return s.deleteBucket(w, name)
	case http.MethodGet:
		call.Operation = "ListObjects"
		if r.URL.Query().Get("list-type") == "2" {
			call.Operation = "ListObjectsV2"
		}
		return s.listObjects(w, r, name)
	}
	return errMethodNotAllowed()
}

// splitPath returns the bucket and key of a request: from a virtual host
// "<bucket>.localhost" / "<bucket>.s3.localhost.localstack.cloud", else the
// first path segment. The key is the rest of the decoded path, verbatim.
func splitPath(r *http.Request) (bucketName, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, suffix := range []string{".s3.localhost.localstack.cloud", ".localhost.localstack.cloud", ".localhost"} {
		if b, ok := strings.CutSuffix(host, suffix); ok && b != "" && b != "s3" {
			return b, strings.TrimPrefix(r.URL.Path, "/")
		}
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucketName, key, _ = strings.Cut(p, "/")
	return bucketName, key
}

// lookup returns a bucket; the caller holds s.mu.
func (s *Service) lookup(name string) (*bucket, error) {
	b, ok := s.buckets[name]
	if !ok {
		return nil, errNoSuchBucket()
	}
	return b, nil
}

// Close implements io.Closer; state is written as it changes, so there is nothing to flush.
func (s *Service) Close() error { return nil }

var errTooLarge = errors.New("entity too large")
