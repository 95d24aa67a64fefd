package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// entityHeaders are the request headers stored with an object and returned on GET.
var entityHeaders = []string{"Content-Type", "Content-Encoding", "Content-Disposition", "Content-Language", "Cache-Control", "Expires",
	"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"}

// sseHeaders are echoed on PUT as S3 does (the bytes are not encrypted locally).
var sseHeaders = entityHeaders[6:]

// checksums are the x-amz-checksum-* algorithms verified on PUT.
var checksums = map[string]func() hash.Hash{
	"crc32":  func() hash.Hash { return crc32.NewIEEE() },
	"crc32c": func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"sha1":   sha1.New,
	"sha256": sha256.New,
}

const maxMetadataBytes = 2048

func (s *Service) putObject(w http.ResponseWriter, r *http.Request, bucketName, key string) error {
	s.mu.RLock()
	_, err := s.lookup(bucketName)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	data, trailers, err := s.readBody(r)
	if err != nil {
		return err
	}
	o := &object{Key: key, Size: int64(len(data)), Headers: map[string]string{}, Metadata: map[string]string{}, Checksums: map[string]string{}}
	if err := o.verify(r, trailers, data); err != nil {
		return err
	}
	metaBytes := 0
	for name, vs := range r.Header {
		if m, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok {
			o.Metadata[m] = strings.Join(vs, ",")
			metaBytes += len(m) + len(o.Metadata[m])
		}
	}
	if metaBytes > maxMetadataBytes {
		return awsapi.NewError(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.")
	}
	for _, h := range entityHeaders {
		if v := r.Header.Get(h); v != "" {
			o.Headers[h] = v
		}
	}
	if enc := strings.TrimSuffix(strings.TrimPrefix(strings.ReplaceAll(o.Headers["Content-Encoding"], "aws-chunked", ""), ","), ","); enc != "" {
		o.Headers["Content-Encoding"] = enc
	} else {
		delete(o.Headers, "Content-Encoding")
	}
	if o.Headers["Content-Type"] == "" {
		o.Headers["Content-Type"] = "binary/octet-stream"
	}
	switch sse := o.Headers["X-Amz-Server-Side-Encryption"]; sse {
	case "":
		o.Headers["X-Amz-Server-Side-Encryption"] = "AES256" // every bucket encrypts by default (SSE-S3)
	case "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return errInvalidArgument("The encryption method specified is not supported")
	}
	sum := md5.Sum(data)
	o.ETag = `"` + hex.EncodeToString(sum[:]) + `"`

	s.mu.Lock()
	seq := s.seq + 1
	b, err := s.lookup(bucketName) // the bucket may have gone meanwhile
	if err == nil {
		o.LastModified = s.opts.Now().UTC().Truncate(time.Millisecond)
		if s.disk != nil {
			err = s.disk.put(bucketName, o, data)
		} else {
			o.Data = data
		}
		if err == nil {
			b.objects[key] = o
			s.seq++
		}
	}
	if err == nil && s.opts.OnObjectCreated != nil {
		s.notify.Lock() // taken before s.mu is released: callbacks keep write order
		defer s.notify.Unlock()
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	w.Header().Set("ETag", o.ETag)
	for _, h := range sseHeaders {
		if v := o.Headers[h]; v != "" {
			w.Header().Set(h, v)
		}
	}
	for algo, v := range o.Checksums {
		w.Header().Set("x-amz-checksum-"+algo, v)
	}
	w.WriteHeader(http.StatusOK)
	if s.opts.OnObjectCreated != nil {
		s.opts.OnObjectCreated(ObjectCreated{
			EventName: "ObjectCreated:Put", Time: o.LastModified, Region: s.opts.Region,
			Bucket: bucketName, Key: key, Size: o.Size, ETag: strings.Trim(o.ETag, `"`),
			Sequencer: fmt.Sprintf("%016X%08X", o.LastModified.UnixMilli(), seq),
		})
	}
	return nil
}

// readBody reads a PUT body whole, decoding aws-chunked, within the size limit;
// a short body or one over the limit is refused before anything is stored.
func (s *Service) readBody(r *http.Request) ([]byte, http.Header, error) {
	if r.ContentLength < 0 {
		return nil, nil, awsapi.NewError(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
	}
	max := s.opts.MaxObjectBytes
	tooLarge := awsapi.NewError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
	sha := r.Header.Get("x-amz-content-sha256")
	if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") || strings.HasPrefix(sha, "STREAMING-") {
		if dl := r.Header.Get("x-amz-decoded-content-length"); dl != "" {
			if n, err := strconv.ParseInt(dl, 10, 64); err != nil || n < 0 {
				return nil, nil, errInvalidArgument("x-amz-decoded-content-length is not valid")
			} else if n > max {
				return nil, nil, tooLarge
			}
		}
		data, trailers, err := decodeChunked(io.LimitReader(r.Body, r.ContentLength), max)
		switch {
		case errors.Is(err, errTooLarge):
			return nil, nil, tooLarge
		case err != nil:
			return nil, nil, awsapi.NewError(http.StatusBadRequest, "IncompleteBody", "The request body is not valid aws-chunked encoding.")
		}
		if dl := r.Header.Get("x-amz-decoded-content-length"); dl != "" && dl != strconv.Itoa(len(data)) {
			return nil, nil, awsapi.NewError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header.")
		}
		return data, trailers, nil
	}
	if r.ContentLength > max {
		return nil, nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, r.ContentLength))
	if err != nil || int64(len(data)) != r.ContentLength {
		return nil, nil, awsapi.NewError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	}
	if len(sha) == 64 {
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != strings.ToLower(sha) {
			return nil, nil, awsapi.NewError(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	}
	return data, nil, nil
}

// verify checks Content-MD5 and any x-amz-checksum-* header or trailer, and
// records the checksums to return them later.
func (o *object) verify(r *http.Request, trailers http.Header, data []byte) error {
	if v := r.Header.Get("Content-MD5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return awsapi.NewError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
		}
		if got := md5.Sum(data); !bytes.Equal(got[:], want) {
			return errBadDigest("Content-MD5")
		}
	}
	for algo, mk := range checksums {
		v := r.Header.Get("x-amz-checksum-" + algo)
		if v == "" && trailers != nil {
			v = trailers.Get("x-amz-checksum-" + algo)
		}
		if v == "" {
			continue
		}
		h := mk()
		h.Write(data)
		if base64.StdEncoding.EncodeToString(h.Sum(nil)) != v {
			return errBadDigest(strings.ToUpper(algo))
		}
		o.Checksums[algo] = v
	}
	return nil
}

func (s *Service) getObject(w http.ResponseWriter, r *http.Request, bucketName, key string, body bool) error {
	s.mu.RLock()
	b, err := s.lookup(bucketName)
	var o *object
	if err == nil {
		if o = b.objects[key]; o == nil {
			err = errNoSuchKey()
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	var content io.ReadSeeker = bytes.NewReader(o.Data)
	if s.disk != nil {
		stored, f, rs, err := s.disk.open(bucketName, key)
		if err != nil {
			return errNoSuchKey() // deleted between the index read and the open
		}
		defer f.Close()
		o, content = stored, rs
	}
	h := w.Header()
	for k, v := range o.Headers {
		h.Set(k, v)
	}
	for k, v := range o.Metadata {
		h.Set("X-Amz-Meta-"+k, v)
	}
	if strings.EqualFold(r.Header.Get("x-amz-checksum-mode"), "ENABLED") && r.Header.Get("Range") == "" {
		for algo, v := range o.Checksums {
			h.Set("x-amz-checksum-"+algo, v)
		}
	}
	h.Set("ETag", o.ETag)
	h.Set("Accept-Ranges", "bytes")
	if !body {
		h.Set("Last-Modified", o.LastModified.Format(http.TimeFormat))
		h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
		w.WriteHeader(http.StatusOK)
		return nil
	}
	http.ServeContent(w, r, "", o.LastModified, content)
	return nil
}

func (s *Service) deleteObject(w http.ResponseWriter, bucketName, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookup(bucketName)
	if err != nil {
		return err
	}
	if _, ok := b.objects[key]; ok {
		if s.disk != nil {
			if err := s.disk.remove(bucketName, key); err != nil {
				return err
			}
		}
		delete(b.objects, key)
	}
	w.WriteHeader(http.StatusNoContent) // S3 answers 204 whether or not the key existed
	return nil
}
