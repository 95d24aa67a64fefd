// Package rotation implements the Secrets Manager rotation protocol that every
// keyward rotation strategy shares: the four steps (createSecret, setSecret,
// testSecret, finishSecret), their preconditions and idempotency, the ledger and
// the metrics. Strategies (PostgreSQL, MySQL/MariaDB, HTTP API keys) live in
// sub-packages and only implement what differs: how a pending secret is derived,
// how it is set on the target, and how it is tested.
//
// The protocol follows the AWS rotation templates and the Secrets Manager user
// guide: DescribeSecret; fail if rotation is not enabled or the token is not a
// version of the secret; return at once if the token is already AWSCURRENT; fail
// if it is not AWSPENDING; then run the step. The current version is always read
// with an explicit VersionStage AWSCURRENT.
//
// No error or log line produced here contains a password, a DSN or secret JSON.
package rotation
