package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ObjectGetter is the part of the S3 client the function uses.
type ObjectGetter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// object names one CloudTrail log file.
type object struct {
	Bucket, Key, ETag, Version string
}

// unit is the object's delivery-unit id for the exactly-once store: bucket and
// key (and version in a versioned bucket). CloudTrail never rewrites a log file,
// so the key alone names its content, whichever notification (S3 event, SNS,
// CloudTrail's own) announced it.
func (o object) unit() string {
	id := "s3:" + o.Bucket + "/" + o.Key
	if o.Version != "" {
		id += "?v=" + o.Version
	}
	return id
}

const defaultMaxObjectBytes = 256 << 20

// read fetches a log file and decompresses it when gzipped.
func (h *Handler) read(ctx context.Context, o object) ([]byte, error) {
	limit := h.MaxObjectBytes
	if limit <= 0 {
		limit = defaultMaxObjectBytes
	}
	in := &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)}
	if o.Version != "" {
		in.VersionId = aws.String(o.Version)
	}
	out, err := h.Objects.GetObject(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("get object: %w", err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read object: %w", err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w: object larger than %d bytes", ErrBadInput, limit)
	}
	if len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		return raw, nil // plain JSON (or S3 already removed Content-Encoding)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrBadInput, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrBadInput, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: log file larger than %d bytes decompressed", ErrBadInput, limit)
	}
	return data, nil
}
