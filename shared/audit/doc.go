// Package audit turns CloudTrail records of KMS, Secrets Manager and SSM into
// keyward's audit store and reads it back for the alarms and key-ops functions.
//
// # Pipeline
//
// Parse (a hand-written, validating, zero-copy JSON decoder:
// [Parser.ParseRecord] for an EventBridge detail, [Parser.ParseLogFile] for a
// log file) → normalise (principal key, source network, resources from resources[]
// or the request, encryption-context values HMAC-hashed, secret fields stripped)
// → aggregate ([Batch]) → write ([Store.Apply]) → read ([Store.EventsByResource],
// [Store.Counts], [Store.LastUse], [Store.FirstSeen], [Store.ActiveResources], …).
//
// Scale rule: control-plane events, service events, unknown events and every
// failure are stored individually; successful high-volume data-plane calls
// (Decrypt, Encrypt, GenerateDataKey*, ReEncrypt*, Sign/Verify*, GenerateMac,
// VerifyMac, GetSecretValue, BatchGetSecretValue, GetParameter*) are only counted:
// per delivery unit (one log file, one EventBridge event) into usage items keyed
// by (resource, minute, operation, outcome, principal, network) with a bounded
// sample, and counters per resource and per principal × minute and hour. Each
// counter is sharded (StoreConfig.Shards; the shard is a hash of the delivery
// unit) so concurrent writers never share one hot item.
//
// Exactly-once effect: see [Store.Apply].
//
// # Access patterns
//
// All on the one keyward table (see package table); "[a,b)" is a BETWEEN on the
// sort key with the upper bound dropped.
//
//	read                         key condition                                           item
//	EventsByResource             pk = ares#<resource>, sk in [ev#<from>, ev#<to>)          audit.event
//	EventsByPrincipal (gsi1)     gsi1pk = aprn#<principal>#<day>, gsi1sk in [from, to)     audit.event
//	EventsByName (gsi2)          gsi2pk = aname#<svc>:<name>#<day>, gsi2sk in [from, to)   audit.event
//	Counts (resource)            pk = acnt#r#<resource>, sk in [<m|h>#<from>, <m|h>#<to>)   audit.counter
//	Counts (principal)           pk = acnt#p#<principal>, sk in [<m|h>#<from>, …)           audit.counter
//	Usage                        pk = acnt#r#<resource>, sk in [u#<from>, u#<to>)          audit.usage
//	UsageWindow (gsi2)           gsi2pk = ausewin#<minute>#<shard> (minutes × shards)      audit.usage
//	FirstSeen                    pk = aseen#<resource>, sk = <p|n|r>#<value> (GetItem)     audit.seen
//	SeenAll                      pk = aseen#<resource>, sk begins_with <p|n|r>#             audit.seen
//	LastUse / LastUses           pk = aseen#<resource>, sk begins_with l#                  audit.lastuse
//	ActiveResources              pk = aact#<hour>#<shard 0..7> (one Query per shard×hour)  audit.activity
//	(writer) idempotency         pk = idem#audit#<unit>, sk = chunk#<i>/<n> (condition)     audit.marker
//
// Principals are keyed by [Principal.Key]: the role ARN for assumed-role sessions
// (session names would explode cardinality), the service for AWS service calls,
// else the identity ARN. Source networks are "vpce:<id>", "svc:<service host>",
// "ip4:a.b.c.0/24" or "ip6:<first 48 bits>::/48".
//
// Resources are what CloudTrail names: resources[].ARN (or the pre-2024 "aRN"),
// else requestParameters.keyId / secretId / name as seen (aliases are kept, not
// resolved). Callers that hold an alias should resolve it to the key ARN first.
// A record that names no resource (ListKeys; a Decrypt of an invalid ciphertext)
// is filed under "<service>:<account>", e.g. "kms:111122223333".
//
// # Limits
//
// Counters are exact per delivery unit; a record delivered both by EventBridge and
// in a log file is counted twice (enable one path per account). Failures are
// stored one by one, as the scale rule asks: a storm of failed calls by one
// principal concentrates on that principal's gsi1 partition of the day (DynamoDB
// splits it by sort key under sustained heat); the alarms read counters, not
// those events, so evaluation is unaffected.
package audit
