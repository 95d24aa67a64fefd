package s3

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// errChunk is a malformed aws-chunked body.
var errChunk = errors.New("malformed aws-chunked body")

// decodeChunked reads an aws-chunked body (SigV4 streaming, signed or unsigned,
// with optional trailing checksum headers) into its payload, reading at most
// limit payload bytes. Trailers are returned as headers.
func decodeChunked(r io.Reader, limit int64) ([]byte, http.Header, error) {
	br := bufio.NewReader(r)
	var out []byte
	for {
		line, err := readLine(br)
		if err != nil {
			return nil, nil, errChunk
		}
		sizeHex, _, _ := strings.Cut(line, ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || size < 0 {
			return nil, nil, errChunk
		}
		if size == 0 {
			break
		}
		if int64(len(out))+size > limit {
			return nil, nil, errTooLarge
		}
		start := len(out)
		out = append(out, make([]byte, size)...)
		if _, err := io.ReadFull(br, out[start:]); err != nil {
			return nil, nil, errChunk
		}
		if crlf, err := readLine(br); err != nil || crlf != "" {
			return nil, nil, errChunk
		}
	}
	trailers := http.Header{}
	for {
		line, err := readLine(br)
		if err == io.EOF && line == "" {
			break
		}
		if err != nil {
			return nil, nil, errChunk
		}
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, nil, errChunk
		}
		trailers.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return out, trailers, nil
}

// readLine reads one CRLF (or LF) terminated line of at most 4 KiB.
func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		b, err := br.ReadByte()
		if err != nil {
			return sb.String(), err
		}
		if b == '\n' {
			return strings.TrimSuffix(sb.String(), "\r"), nil
		}
		if sb.Len() > 4096 {
			return "", errChunk
		}
		sb.WriteByte(b)
	}
}
