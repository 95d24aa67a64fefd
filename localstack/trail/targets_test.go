package trail

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"
	"time"
)

func TestHTTPTargetTreatsNon2xxAsFailure(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if !json.Valid(b) {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	tg := HTTPTarget{URL: srv.URL}
	if err := tg.Deliver(context.Background(), []byte(`{"a":1}`)); err == nil {
		t.Fatal("503 counted as delivered")
	}
	if err := tg.Deliver(context.Background(), []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
}

func TestLogFileWriterWritesCloudTrailLogFiles(t *testing.T) {
	type object struct {
		bucket, key string
		body        []byte
	}
	var got []object
	fail := true
	put := func(_ context.Context, bucket, key string, body []byte) error {
		if fail {
			fail = false
			return errors.New("bucket not there yet")
		}
		got = append(got, object{bucket, key, body})
		return nil
	}
	w := NewLogFileWriter("trail-bucket", put, time.Hour)
	w.now = func() time.Time { return fixedTime }
	tap, _ := New(Options{Targets: []Target{w}})
	ids := publishN(tap, 3)
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(context.Background()); err == nil {
		t.Fatal("first put failure not reported")
	}
	if err := w.Close(); err != nil { // the retry writes the same records
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].bucket != "trail-bucket" {
		t.Fatalf("objects = %d", len(got))
	}
	re := regexp.MustCompile(`^AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/02/111122223333_CloudTrail_us-east-1_20261202T0531Z_[0-9A-F]{16}\.json\.gz$`)
	if !re.MatchString(got[0].key) {
		t.Fatalf("key %s", got[0].key)
	}
	zr, err := gzip.NewReader(bytes.NewReader(got[0].body))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Records []Record }
	if err := json.NewDecoder(zr).Decode(&doc); err != nil || len(doc.Records) != 3 {
		t.Fatalf("log file: %v, %d records", err, len(doc.Records))
	}
	for i, r := range doc.Records {
		if r.RequestID != ids[i] || r.EventSource != "kms.amazonaws.com" {
			t.Fatalf("record %d = %+v", i, r)
		}
	}
}
