package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"

	"github.com/keyward/keyward/localstack/awsapi"
)

type deleteRequest struct {
	Quiet   bool `xml:"Quiet"`
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	Xmlns   string          `xml:"xmlns,attr"`
	Deleted []deletedEntry  `xml:"Deleted"`
	Errors  []deleteFailure `xml:"Error"`
}

type deletedEntry struct {
	Key string `xml:"Key"`
}

type deleteFailure struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

const maxDeleteKeys = 1000

// deleteObjects serves POST /bucket?delete: up to 1,000 keys in one request,
// each reported as deleted (missing keys too, as S3 does) unless Quiet.
func (s *Service) deleteObjects(w http.ResponseWriter, r *http.Request, name string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		return awsapi.NewError(http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
	}
	if v := r.Header.Get("Content-MD5"); v != "" {
		want, derr := base64.StdEncoding.DecodeString(v)
		if got := md5.Sum(body); derr != nil || !bytes.Equal(got[:], want) {
			return errBadDigest("Content-MD5")
		}
	}
	o := &object{Checksums: map[string]string{}}
	if err := o.verify(&http.Request{Header: r.Header}, nil, body); err != nil {
		return err
	}
	var req deleteRequest
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Objects) == 0 {
		return awsapi.NewError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if len(req.Objects) > maxDeleteKeys {
		return awsapi.NewError(http.StatusBadRequest, "MalformedXML", "The request may contain at most %d keys", maxDeleteKeys)
	}
	out := deleteResult{Xmlns: s3NS}
	s.mu.Lock()
	b, err := s.lookup(name)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	for _, obj := range req.Objects {
		if obj.Key == "" || len(obj.Key) > 1024 {
			out.Errors = append(out.Errors, deleteFailure{Key: obj.Key, Code: "InvalidArgument", Message: "Invalid key"})
			continue
		}
		if _, ok := b.objects[obj.Key]; ok {
			if s.disk != nil {
				if err := s.disk.remove(name, obj.Key); err != nil {
					out.Errors = append(out.Errors, deleteFailure{Key: obj.Key, Code: "InternalError", Message: err.Error()})
					continue
				}
			}
			delete(b.objects, obj.Key)
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, deletedEntry{Key: obj.Key})
		}
	}
	s.mu.Unlock()
	writeXML(w, http.StatusOK, out)
	return nil
}
