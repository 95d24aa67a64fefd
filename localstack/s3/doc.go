// Package s3 is the local endpoint's Amazon S3 (REST, path-style, SigV4): buckets
// and objects in memory or on disk under a data directory, enough for CloudTrail
// log files and test fixtures. Keys never become file paths (objects are stored
// under the SHA-256 of their key), so no key can escape the data directory.
// Errors are S3's (NoSuchBucket, NoSuchKey, InvalidBucketName, ...), and a hook
// reports ObjectCreated events so an S3→SQS-style notification path can be fed.
package s3
