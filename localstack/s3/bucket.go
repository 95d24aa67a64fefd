package s3

import (
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// validBucketName applies S3's general purpose bucket naming rules: 3–63
// characters of lower-case letters, digits, dots and hyphens, starting and
// ending with a letter or digit, no "..", not an IP address, none of the
// reserved prefixes and suffixes.
func validBucketName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return errInvalidBucketName()
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return errInvalidBucketName()
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(name[0]) || !alnum(name[len(name)-1]) || strings.Contains(name, "..") ||
		strings.Contains(name, ".-") || strings.Contains(name, "-.") || net.ParseIP(name) != nil {
		return errInvalidBucketName()
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return errInvalidBucketName()
		}
	}
	for _, suf := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suf) {
			return errInvalidBucketName()
		}
	}
	return nil
}

type createBucketConfiguration struct {
	LocationConstraint string `xml:"LocationConstraint"`
}

func (s *Service) createBucket(w http.ResponseWriter, r *http.Request, name string) error {
	if err := validBucketName(name); err != nil {
		return err
	}
	region := s.opts.Region
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return awsapi.NewError(http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		var cfg createBucketConfiguration
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return awsapi.NewError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		if cfg.LocationConstraint != "" {
			if cfg.LocationConstraint == "us-east-1" || cfg.LocationConstraint != s.opts.Region && s.opts.Region != "us-east-1" {
				return awsapi.NewError(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
			}
			region = cfg.LocationConstraint
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; ok {
		if s.opts.Region == "us-east-1" { // us-east-1 answers 200 for a bucket you already own
			w.Header().Set("Location", "/"+name)
			w.WriteHeader(http.StatusOK)
			return nil
		}
		return awsapi.NewError(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	b := &bucket{Name: name, Created: s.opts.Now().UTC(), Region: region, objects: map[string]*object{}}
	if s.disk != nil {
		if err := s.disk.createBucket(b); err != nil {
			_ = s.disk.deleteBucket(name)
			return err
		}
	}
	s.buckets[name] = b
	w.Header().Set("Location", "/"+name)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) headBucket(w http.ResponseWriter, name string) error {
	s.mu.RLock()
	b, err := s.lookup(name)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-bucket-region", b.Region)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) deleteBucket(w http.ResponseWriter, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookup(name)
	if err != nil {
		return err
	}
	if len(b.objects) > 0 {
		return awsapi.NewError(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
	}
	if s.disk != nil {
		if err := s.disk.deleteBucket(name); err != nil {
			return err
		}
	}
	delete(s.buckets, name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) getBucketLocation(w http.ResponseWriter, name string) error {
	s.mu.RLock()
	b, err := s.lookup(name)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = ""
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		Xmlns   string   `xml:"xmlns,attr"`
		Value   string   `xml:",chardata"`
	}{Xmlns: s3NS, Value: loc})
	return nil
}

type listAllMyBucketsResult struct {
	XMLName xml.Name      `xml:"ListAllMyBucketsResult"`
	Xmlns   string        `xml:"xmlns,attr"`
	Owner   owner         `xml:"Owner"`
	Buckets []bucketEntry `xml:"Buckets>Bucket"`
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

var localOwner = owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "keyward"}

func (s *Service) listBuckets(w http.ResponseWriter) error {
	s.mu.RLock()
	out := listAllMyBucketsResult{Xmlns: s3NS, Owner: localOwner, Buckets: []bucketEntry{}}
	for _, b := range s.buckets {
		out.Buckets = append(out.Buckets, bucketEntry{Name: b.Name, CreationDate: isoTime(b.Created), BucketRegion: b.Region})
	}
	s.mu.RUnlock()
	sort.Slice(out.Buckets, func(i, j int) bool { return out.Buckets[i].Name < out.Buckets[j].Name })
	writeXML(w, http.StatusOK, out)
	return nil
}

func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "<Error><Code>InternalError</Code></Error>", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
