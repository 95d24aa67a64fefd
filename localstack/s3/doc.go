// Package s3 is the local endpoint's Amazon S3 (REST, path-style or
// <bucket>.localhost, SigV4): CreateBucket, HeadBucket, DeleteBucket,
// ListBuckets, GetBucketLocation, PutObject, GetObject (with ranges), HeadObject,
// ListObjectsV2 / ListObjects, DeleteObject and DeleteObjects, in memory or on
// disk under a data directory — enough for CloudTrail log files and fixtures.
//
// Keys never become file paths: each object is one file named by the SHA-256 of
// its key, a JSON header line followed by the bytes, written to a temporary file
// and renamed, so no key can escape the data directory and a reader never sees a
// half-written object. Errors are S3's (NoSuchBucket, NoSuchKey,
// InvalidBucketName, BadDigest, EntityTooLarge, ...). Content-MD5, x-amz-checksum-*
// and x-amz-content-sha256 are verified; aws-chunked bodies are decoded.
// Options.OnObjectCreated reports every PutObject (ObjectCreated.Event is the S3
// notification body) so an S3→SQS-style path can be fed.
//
// Not offered: multipart uploads, CopyObject, versioning, ACLs and
// bucket policies (501 NotImplemented); objects are limited to 64 MiB by default.
package s3
