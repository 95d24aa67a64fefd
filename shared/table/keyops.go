package table

import (
	"time"
)

// Key-ops item types: the key registry, keyops' own record of key uses, forced
// disables, grants with an expiry, the authorization policy and idempotency records.
//
// Access patterns (all keys carry the "KO#" prefix so they never meet another
// owner's items):
//
//	key by alias             GetItem  pk=KO#KEY#<alias>            sk=META
//	keys (list)              Query    gsi1pk=KO#KEYS               gsi1sk=<alias>
//	key by key id            Query    gsi2pk=KO#KEYID#<keyID>      (gsi2sk=META)
//	last use via keyops      Query    pk=KO#KEY#<alias>            sk begins_with USE#
//	forced disables          Query    pk=KO#KEY#<alias>            sk begins_with DISABLE#
//	grants of a key          Query    pk=KO#KEY#<alias>            sk begins_with GRANT#
//	grants expired by T      Query    gsi1pk=KO#GRANTEXP           gsi1sk <= <T>
//	policy of a principal    GetItem  pk=KO#AUTHZ#<principalARN>  sk=POLICY
//	idempotency record       GetItem  pk=KO#IDEM#<principal>#<key> sk=IDEM (ttl 24 h)
const (
	keyopsPrefix = "KO#"

	// KeyopsMetaSK is the sort key of a key registry item.
	KeyopsMetaSK = "META"
	// KeyopsKeysGSI1PK is the gsi1 partition that lists every registered key.
	KeyopsKeysGSI1PK = keyopsPrefix + "KEYS"
	// KeyopsGrantExpiryGSI1PK is the gsi1 partition of grants that carry an expiry.
	KeyopsGrantExpiryGSI1PK = keyopsPrefix + "GRANTEXP"
	// KeyopsUseSKPrefix, KeyopsDisableSKPrefix and KeyopsGrantSKPrefix start the sort
	// keys of the per-key child items.
	KeyopsUseSKPrefix     = "USE#"
	KeyopsDisableSKPrefix = "DISABLE#"
	KeyopsGrantSKPrefix   = "GRANT#"
	// KeyopsPolicySK is the sort key of an authorization policy item.
	KeyopsPolicySK = "POLICY"
	// KeyopsIdempotencySK is the sort key of an idempotency record.
	KeyopsIdempotencySK = "IDEM"
)

// KeyopsKeyPK is the partition of a registered key and its child items.
func KeyopsKeyPK(alias string) string { return keyopsPrefix + "KEY#" + alias }

// KeyopsKeyIDGSI2PK finds a registered key by its KMS key id.
func KeyopsKeyIDGSI2PK(keyID string) string { return keyopsPrefix + "KEYID#" + keyID }

// KeyopsUseSK is the sort key of the last use of a key by one principal.
func KeyopsUseSK(principal string) string { return KeyopsUseSKPrefix + principal }

// KeyopsDisableSK is the sort key of one disable decision.
func KeyopsDisableSK(at time.Time) string { return KeyopsDisableSKPrefix + KeyopsTime(at) }

// KeyopsGrantSK is the sort key of a grant of a key.
func KeyopsGrantSK(grantID string) string { return KeyopsGrantSKPrefix + grantID }

// KeyopsGrantExpiryGSI1SK orders grants by expiry, so a sweep reads only expired ones.
func KeyopsGrantExpiryGSI1SK(expiresAt time.Time, alias, grantID string) string {
	return KeyopsTime(expiresAt) + "#" + alias + "#" + grantID
}

// KeyopsPolicyPK is the partition of a principal's authorization policy.
func KeyopsPolicyPK(principalARN string) string { return keyopsPrefix + "AUTHZ#" + principalARN }

// KeyopsIdempotencyPK scopes an Idempotency-Key to the principal that sent it.
func KeyopsIdempotencyPK(principal, key string) string {
	return keyopsPrefix + "IDEM#" + principal + "#" + key
}

// KeyopsTime formats t in UTC with fixed-width nanoseconds so that string order is
// time order (RFC 3339 with trailing zeros kept).
func KeyopsTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// ParseKeyopsTime reverses KeyopsTime (any RFC 3339 time is accepted).
func ParseKeyopsTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

// KeyItem is a key registered through keyops: the alias callers use, the CMK behind it
// and the policy inputs it was created with.
type KeyItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`

	Alias           string   `dynamodbav:"alias"` // without the "alias/" prefix
	KeyID           string   `dynamodbav:"keyId,omitempty"`
	KeyARN          string   `dynamodbav:"keyArn,omitempty"`
	Description     string   `dynamodbav:"description,omitempty"`
	Environment     string   `dynamodbav:"environment"`
	Admins          []string `dynamodbav:"admins,stringset,omitempty"`
	Users           []string `dynamodbav:"users,stringset,omitempty"`
	RequiredContext []string `dynamodbav:"requiredContext,stringset,omitempty"`
	// State is keyops' view of the key (Creating, Enabled, Disabled, PendingDeletion);
	// KMS stays the authority, keyops refuses data-plane calls on a non-Enabled key.
	State     string `dynamodbav:"state"`
	CreatedAt string `dynamodbav:"createdAt"`
	CreatedBy string `dynamodbav:"createdBy"`
	UpdatedAt string `dynamodbav:"updatedAt,omitempty"`
}

// NewKeyItem fills the keys of a registry item.
func NewKeyItem(alias string) KeyItem {
	return KeyItem{
		PK: KeyopsKeyPK(alias), SK: KeyopsMetaSK,
		GSI1PK: KeyopsKeysGSI1PK, GSI1SK: alias,
		Alias: alias,
	}
}

// SetKeyID fills the key id, its ARN and the gsi2 lookup by key id.
func (k *KeyItem) SetKeyID(keyID, keyARN string) {
	k.KeyID, k.KeyARN = keyID, keyARN
	k.GSI2PK, k.GSI2SK = KeyopsKeyIDGSI2PK(keyID), KeyopsMetaSK
}

// KeyUseItem is the latest data-plane use of a key through keyops by one principal.
// keyops writes it synchronously before the cryptographic call, so the deletion
// guardrail never misses a use that CloudTrail has not delivered yet.
type KeyUseItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Alias     string `dynamodbav:"alias"`
	KeyARN    string `dynamodbav:"keyArn,omitempty"`
	Principal string `dynamodbav:"principal"`        // policy principal (role ARN for sessions)
	Caller    string `dynamodbav:"caller,omitempty"` // the caller as API Gateway saw it
	Operation string `dynamodbav:"operation"`        // Encrypt, Decrypt, ReEncrypt, GenerateDataKey
	At        string `dynamodbav:"at"`
	TTL       int64  `dynamodbav:"ttl"` // kept only as long as a guardrail window needs it
}

// NewKeyUseItem builds the use record of alias by principal at a time, kept for keep.
func NewKeyUseItem(alias, keyARN, principal, caller, op string, at time.Time, keep time.Duration) KeyUseItem {
	return KeyUseItem{
		PK: KeyopsKeyPK(alias), SK: KeyopsUseSK(principal),
		Alias: alias, KeyARN: keyARN, Principal: principal, Caller: caller, Operation: op,
		At: KeyopsTime(at), TTL: at.Add(keep).Unix(),
	}
}

// KeyDisableItem records who disabled a key, when, and whether the in-use guardrail
// was overridden (force) with which reason.
type KeyDisableItem struct {
	PK            string `dynamodbav:"pk"`
	SK            string `dynamodbav:"sk"`
	Alias         string `dynamodbav:"alias"`
	Principal     string `dynamodbav:"principal"`
	Force         bool   `dynamodbav:"force"`
	Reason        string `dynamodbav:"reason,omitempty"`
	LastUseBy     string `dynamodbav:"lastUseBy,omitempty"`
	LastUseAt     string `dynamodbav:"lastUseAt,omitempty"`
	At            string `dynamodbav:"at"`
	LastUseSource string `dynamodbav:"lastUseSource,omitempty"`
}

// NewKeyDisableItem fills the keys of a disable record.
func NewKeyDisableItem(alias string, at time.Time) KeyDisableItem {
	return KeyDisableItem{PK: KeyopsKeyPK(alias), SK: KeyopsDisableSK(at), Alias: alias, At: KeyopsTime(at)}
}

// GrantItem is a KMS grant made through keyops. KMS grants never expire, so keyops
// keeps the expiry here and revokes the grant once it has passed.
type GrantItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`

	Alias      string   `dynamodbav:"alias"`
	KeyID      string   `dynamodbav:"keyId"`
	GrantID    string   `dynamodbav:"grantId"`
	Grantee    string   `dynamodbav:"grantee"`
	Operations []string `dynamodbav:"operations,stringset"`
	ExpiresAt  string   `dynamodbav:"expiresAt,omitempty"`
	CreatedAt  string   `dynamodbav:"createdAt"`
	CreatedBy  string   `dynamodbav:"createdBy"`
}

// NewGrantItem fills the keys of a grant record; a zero expiresAt means no expiry and
// keeps the item out of the expiry index.
func NewGrantItem(alias, grantID string, expiresAt time.Time) GrantItem {
	g := GrantItem{PK: KeyopsKeyPK(alias), SK: KeyopsGrantSK(grantID), Alias: alias, GrantID: grantID}
	if !expiresAt.IsZero() {
		g.GSI1PK = KeyopsGrantExpiryGSI1PK
		g.GSI1SK = KeyopsGrantExpiryGSI1SK(expiresAt, alias, grantID)
		g.ExpiresAt = KeyopsTime(expiresAt)
	}
	return g
}

// AuthzStatement allows Actions on key aliases matching Keys and on secrets whose
// name starts with one of SecretPrefixes. A pattern ending in "*" matches a prefix;
// "*" alone matches everything.
type AuthzStatement struct {
	Actions        []string `dynamodbav:"actions" json:"actions"`
	Keys           []string `dynamodbav:"keys,omitempty" json:"keys,omitempty"`
	SecretPrefixes []string `dynamodbav:"secretPrefixes,omitempty" json:"secretPrefixes,omitempty"`
}

// PolicyItem is the keyops authorization policy of one caller principal ARN.
type PolicyItem struct {
	PK         string           `dynamodbav:"pk"`
	SK         string           `dynamodbav:"sk"`
	Principal  string           `dynamodbav:"principal"`
	Statements []AuthzStatement `dynamodbav:"statements"`
	UpdatedAt  string           `dynamodbav:"updatedAt"`
}

// NewPolicyItem fills the keys of a policy item.
func NewPolicyItem(principal string, statements []AuthzStatement, at time.Time) PolicyItem {
	return PolicyItem{
		PK: KeyopsPolicyPK(principal), SK: KeyopsPolicySK,
		Principal: principal, Statements: statements, UpdatedAt: KeyopsTime(at),
	}
}

// Idempotency record states.
const (
	IdempotencyPending = "pending"
	IdempotencyDone    = "done"
)

// IdempotencyItem remembers the first response to a mutating request with an
// Idempotency-Key. Responses of mutating routes never carry plaintext or secret values.
type IdempotencyItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	RequestHash string `dynamodbav:"requestHash"` // SHA-256 of method, path and body
	State       string `dynamodbav:"state"`
	Status      int    `dynamodbav:"status,omitempty"`
	Body        string `dynamodbav:"body,omitempty"`
	CreatedAt   string `dynamodbav:"createdAt"`
	TTL         int64  `dynamodbav:"ttl"`
}

// NewIdempotencyItem builds a pending record that expires after keep.
func NewIdempotencyItem(principal, key, requestHash string, now time.Time, keep time.Duration) IdempotencyItem {
	return IdempotencyItem{
		PK: KeyopsIdempotencyPK(principal, key), SK: KeyopsIdempotencySK,
		RequestHash: requestHash, State: IdempotencyPending,
		CreatedAt: KeyopsTime(now), TTL: now.Add(keep).Unix(),
	}
}
