package s3

import (
	"bytes"
	"errors"
	"testing"
)

func TestDecodeChunked(t *testing.T) {
	cases := []struct {
		name, body, want string
		trailer          string
		err              bool
	}{
		{"signed", "3;chunk-signature=ab\r\nabc\r\n0;chunk-signature=cd\r\n\r\n", "abc", "", false},
		{"unsigned with trailer", "2\r\nhi\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n", "hi", "AAAA", false},
		{"no final chunk", "2\r\nhi\r\n", "", "", true},
		{"short chunk", "5\r\nhi\r\n0\r\n\r\n", "", "", true},
		{"bad size", "zz\r\nhi\r\n0\r\n\r\n", "", "", true},
		{"negative size", "-1\r\n", "", "", true},
		{"missing crlf", "2\r\nhiX0\r\n\r\n", "", "", true},
		{"bad trailer", "0\r\nnocolon\r\n\r\n", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, tr, err := decodeChunked(bytes.NewReader([]byte(tc.body)), 1<<20)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v", err)
			}
			if err == nil && (string(got) != tc.want || tr.Get("x-amz-checksum-crc32") != tc.trailer) {
				t.Errorf("= %q %v", got, tr)
			}
		})
	}
	if _, _, err := decodeChunked(bytes.NewReader([]byte("ff\r\n")), 10); !errors.Is(err, errTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
}

// FuzzDecodeChunked: any body decodes or fails cleanly, never beyond the limit.
func FuzzDecodeChunked(f *testing.F) {
	f.Add([]byte("3;chunk-signature=ab\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n"))
	f.Add([]byte("ffffffffffffffff\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, _, err := decodeChunked(bytes.NewReader(body), 1024)
		if err == nil && len(got) > 1024 {
			t.Fatalf("decoded %d bytes past the limit", len(got))
		}
	})
}

func TestValidBucketName(t *testing.T) {
	for name, ok := range map[string]bool{
		"abc": true, "my-bucket.logs": true, "a1-b2": true, strings63(): true,
		"ab": false, "ABC": false, "-abc": false, "abc-": false, "a..b": false, "a.-b": false, "a_b": false,
		"192.168.0.1": false, "xn--abc": false, "abc-s3alias": false, "a/b": false, "..": false, "ünï": false,
	} {
		if got := validBucketName(name) == nil; got != ok {
			t.Errorf("%q valid = %v, want %v", name, got, ok)
		}
	}
}

func strings63() string { return string(bytes.Repeat([]byte("a"), 63)) }
