// Package table is keyward's one DynamoDB table design: attribute names, the two
// global secondary indexes, the table definition that both the CDK stack and local
// provisioning derive from, and the key builders of every item type.
//
// Every item has a string partition key "pk" and sort key "sk". Two sparse GSIs
// ("gsi1" on gsi1pk/gsi1sk and "gsi2" on gsi2pk/gsi2sk) serve the secondary access
// patterns; "ttl" (epoch seconds) expires items that are not kept forever.
//
// Key builders live beside the item types, one file per owner (audit.go, alarm.go,
// keyops.go, rotation.go); the README lists every access pattern.
package table
