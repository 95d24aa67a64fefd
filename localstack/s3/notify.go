package s3

import (
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// ObjectCreated is what the OnObjectCreated hook receives for each PutObject.
type ObjectCreated struct {
	EventName string // ObjectCreated:Put
	Time      time.Time
	Region    string
	Bucket    string
	Key       string
	Size      int64
	ETag      string // hex MD5, unquoted, as S3 event notifications carry it
	Sequencer string // orders events for one key: later writes have greater values
}

// Event is the notification body S3 delivers to SQS, SNS and Lambda.
func (o ObjectCreated) Event() events.S3Event {
	return events.S3Event{Records: []events.S3EventRecord{o.Record()}}
}

// Record returns the notification as an S3 event record, the shape S3 sends to
// SQS, SNS and Lambda (events.S3Event{Records: ...}).
func (o ObjectCreated) Record() events.S3EventRecord {
	return events.S3EventRecord{
		EventVersion: "2.1",
		EventSource:  "aws:s3",
		AWSRegion:    o.Region,
		EventTime:    o.Time,
		EventName:    o.EventName,
		PrincipalID:  events.S3UserIdentity{PrincipalID: "AWS:local"},
		S3: events.S3Entity{
			SchemaVersion: "1.0",
			Bucket:        events.S3Bucket{Name: o.Bucket, Arn: "arn:aws:s3:::" + o.Bucket},
			Object:        events.S3Object{Key: strings.ReplaceAll(url.QueryEscape(o.Key), "%2F", "/"), URLDecodedKey: o.Key, Size: o.Size, ETag: o.ETag, Sequencer: o.Sequencer},
		},
	}
}
