package kms

import (
	"strconv"
	"time"
)

// Key states, usages and specs this service supports.
const (
	stateEnabled         = "Enabled"
	stateDisabled        = "Disabled"
	statePendingDeletion = "PendingDeletion"

	usageEncryptDecrypt = "ENCRYPT_DECRYPT"
	specSymmetric       = "SYMMETRIC_DEFAULT"
	algSymmetric        = "SYMMETRIC_DEFAULT"
)

// key is one KMS key with all its material versions.
type key struct {
	KeyID           string     `json:"keyId"`
	ARN             string     `json:"arn"`
	AccountID       string     `json:"accountId"`
	Created         time.Time  `json:"created"`
	Description     string     `json:"description"`
	State           string     `json:"state"`
	DeletionDate    *time.Time `json:"deletionDate,omitempty"`
	PendingWindow   int        `json:"pendingWindow,omitempty"`
	Manager         string     `json:"manager"` // CUSTOMER or AWS
	Policy          string     `json:"policy"`
	Tags            []tag      `json:"tags,omitempty"`
	RotationEnabled bool       `json:"rotationEnabled"`
	RotationPeriod  int        `json:"rotationPeriod,omitempty"`
	NextRotation    *time.Time `json:"nextRotation,omitempty"`
	OnDemandStart   *time.Time `json:"onDemandStart,omitempty"`
	Materials       []material `json:"materials"`
	Rotations       []rotation `json:"rotations,omitempty"`
	Grants          []*grant   `json:"grants,omitempty"`
}

// material is one version of a key's backing key; blobs name it by Version.
type material struct {
	Version uint32    `json:"version"`
	ID      string    `json:"id"` // KeyMaterialId: 64 hex characters, as AWS shows it
	Key     []byte    `json:"key"`
	Created time.Time `json:"created"`
}

type rotation struct {
	Date       time.Time `json:"date"`
	Type       string    `json:"type"` // AUTOMATIC or ON_DEMAND
	MaterialID string    `json:"materialId"`
}

type tag struct {
	TagKey   string
	TagValue string
}

type grant struct {
	GrantID           string           `json:"grantId"`
	Name              string           `json:"name,omitempty"`
	Created           time.Time        `json:"created"`
	GranteePrincipal  string           `json:"granteePrincipal"`
	RetiringPrincipal string           `json:"retiringPrincipal,omitempty"`
	IssuingAccount    string           `json:"issuingAccount"`
	Operations        []string         `json:"operations"`
	Constraints       *grantConstraint `json:"constraints,omitempty"`
}

type grantConstraint struct {
	EncryptionContextSubset map[string]string `json:",omitempty"`
	EncryptionContextEquals map[string]string `json:",omitempty"`
}

type alias struct {
	Name    string    `json:"name"`
	KeyID   string    `json:"keyId"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func (k *key) current() material { return k.Materials[len(k.Materials)-1] }

func (k *key) material(v uint32) (material, bool) {
	for _, m := range k.Materials {
		if m.Version == v {
			return m, true
		}
	}
	return material{}, false
}

// epoch is a timestamp as the JSON protocols write it: seconds since the epoch.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(e).UnixMilli())/1000, 'f', -1, 64), nil
}

func epochPtr(t *time.Time) *epoch {
	if t == nil {
		return nil
	}
	e := epoch(*t)
	return &e
}
