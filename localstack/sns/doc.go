// Package sns is the local endpoint's Amazon SNS (query protocol, XML
// responses): CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes, Publish
// (Subject ≤ 100 ASCII characters, message and attributes ≤ 256 KiB, FIFO groups
// and 5-minute deduplication), Subscribe, Unsubscribe and
// ListSubscriptionsByTopic.
//
// Every published message is recorded (oldest dropped beyond MaxMessages) and
// readable as JSON at the debug URL GET /_keyward/sns/messages[?topic=<arn or
// name>] (DELETE clears it), so tests and people can see the alerts keyward
// sends. Lambda subscriptions receive the SNS event through the endpoint's
// function registry after Publish returns; other protocols are recorded with
// status "not-delivered". With a state path, topics survive restarts and messages
// are appended to a JSONL journal.
package sns
