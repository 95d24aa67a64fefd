package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

type listBucketResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker,omitempty"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []contentEntry `xml:"Contents"`
	CommonPrefixes        []prefixEntry  `xml:"CommonPrefixes"`
}

type contentEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
}

type prefixEntry struct {
	Prefix string `xml:"Prefix"`
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// listObjects serves ListObjectsV2 (list-type=2) and the original ListObjects.
func (s *Service) listObjects(w http.ResponseWriter, r *http.Request, name string) error {
	q := r.URL.Query()
	v2 := q.Get("list-type") == "2"
	if lt := q.Get("list-type"); lt != "" && lt != "2" {
		return errInvalidArgument("Invalid list-type %q", lt)
	}
	maxKeys := 1000
	if mk := q.Get("max-keys"); mk != "" {
		n, err := strconv.Atoi(mk)
		if err != nil || n < 0 {
			return errInvalidArgument("Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, 1000)
	}
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArgument("Invalid Encoding Method specified in Request")
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	out := listBucketResult{Xmlns: s3NS, Name: name, Prefix: prefix, Delimiter: delim, MaxKeys: maxKeys, EncodingType: enc}
	after := ""
	if v2 {
		out.StartAfter = q.Get("start-after")
		after = out.StartAfter
		if tok := q.Get("continuation-token"); q.Has("continuation-token") {
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || !strings.HasPrefix(string(raw), "kw1:") {
				return errInvalidArgument("The continuation token provided is incorrect")
			}
			out.ContinuationToken = tok
			after = max(after, strings.TrimPrefix(string(raw), "kw1:"))
		}
	} else {
		m := q.Get("marker")
		out.Marker = &m
		after = m
	}
	s.mu.RLock()
	b, err := s.lookup(name)
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	objs := make([]*object, len(keys))
	for i, k := range keys {
		objs[i] = b.objects[k]
	}
	s.mu.RUnlock()

	last, lastPrefix := "", ""
	if delim != "" && strings.HasSuffix(after, delim) {
		lastPrefix = after // resuming after a common prefix: skip the rest of it
	}
	count := 0
	for i, k := range keys {
		entryKey, isPrefix := k, false
		if delim != "" {
			if j := strings.Index(k[len(prefix):], delim); j >= 0 {
				entryKey, isPrefix = k[:len(prefix)+j+len(delim)], true
				if entryKey == lastPrefix {
					continue
				}
			}
		}
		if count == maxKeys {
			out.IsTruncated = true
			break
		}
		count++
		last = entryKey
		if isPrefix {
			lastPrefix = entryKey
			out.CommonPrefixes = append(out.CommonPrefixes, prefixEntry{Prefix: encode(entryKey, enc)})
			continue
		}
		o := objs[i]
		e := contentEntry{Key: encode(k, enc), LastModified: isoTime(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD"}
		if !v2 || q.Get("fetch-owner") == "true" {
			e.Owner = &localOwner
		}
		out.Contents = append(out.Contents, e)
	}
	if out.IsTruncated {
		if v2 {
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte("kw1:" + last))
		} else if delim != "" {
			out.NextMarker = encode(last, enc)
		}
	}
	if v2 {
		out.KeyCount = &count
		out.StartAfter = encode(out.StartAfter, enc)
	}
	out.Prefix, out.Delimiter = encode(prefix, enc), encode(delim, enc)
	writeXML(w, http.StatusOK, out)
	return nil
}

// encode applies encoding-type=url to a key or prefix in a listing.
func encode(s, enc string) string {
	if enc != "url" {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}
