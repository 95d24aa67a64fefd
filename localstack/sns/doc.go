// Package sns is the local endpoint's Amazon SNS (query protocol, XML
// responses): topics, subscriptions and Publish with SNS's limits. Every
// published message is recorded and readable as JSON at the debug URL
// GET /_keyward/sns/messages, so tests and people can see the alerts keyward
// sends.
package sns
