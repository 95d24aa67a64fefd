package kms

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
	"github.com/keyward/keyward/localstack/statefile"
)

// Recorder receives the CloudTrail record of KMS calls made in process through
// the KeyRing (the trail tap implements it).
type Recorder interface {
	APICall(call *awsapi.Call, d awsapi.TrailDetails, e *awsapi.Error)
}

// Options configure the KMS service.
type Options struct {
	Region    string // default us-east-1
	AccountID string // default 111122223333
	StateFile string // empty: in memory; else state is loaded from and saved to this file
	Recorder  Recorder
	Now       func() time.Time // default time.Now
}

// Service is the local KMS.
type Service struct {
	opts Options
	now  func() time.Time

	mu      sync.Mutex
	keys    map[string]*key
	order   []string // key ids in creation order, for ListKeys
	aliases map[string]*alias
}

type persisted struct {
	Keys    []*key   `json:"keys"`
	Aliases []*alias `json:"aliases"`
}

// New loads the state file when there is one.
func New(o Options) (*Service, error) {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "111122223333"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{opts: o, now: func() time.Time { return o.Now().UTC() },
		keys: map[string]*key{}, aliases: map[string]*alias{}}
	if o.StateFile != "" {
		var p persisted
		if _, err := statefile.Load(o.StateFile, &p); err != nil {
			return nil, fmt.Errorf("kms: %w", err)
		}
		for _, k := range p.Keys {
			s.keys[k.KeyID] = k
			s.order = append(s.order, k.KeyID)
		}
		for _, a := range p.Aliases {
			s.aliases[a.Name] = a
		}
	}
	return s, nil
}

// save writes the whole state after a change. Callers hold s.mu.
func (s *Service) save() error {
	if s.opts.StateFile == "" {
		return nil
	}
	p := persisted{}
	for _, id := range s.order {
		if k, ok := s.keys[id]; ok {
			p.Keys = append(p.Keys, k)
		}
	}
	for _, a := range s.aliases {
		p.Aliases = append(p.Aliases, a)
	}
	if err := statefile.Save(s.opts.StateFile, p); err != nil {
		return fmt.Errorf("kms: save state: %w", err)
	}
	return nil
}

type handler func(s *Service, call *awsapi.Call) (any, error)

var operations = map[string]handler{
	"CreateKey":                       (*Service).createKey,
	"DescribeKey":                     (*Service).describeKey,
	"ListKeys":                        (*Service).listKeys,
	"EnableKey":                       (*Service).enableKey,
	"DisableKey":                      (*Service).disableKey,
	"ScheduleKeyDeletion":             (*Service).scheduleKeyDeletion,
	"CancelKeyDeletion":               (*Service).cancelKeyDeletion,
	"UpdateKeyDescription":            (*Service).updateKeyDescription,
	"CreateAlias":                     (*Service).createAlias,
	"UpdateAlias":                     (*Service).updateAlias,
	"DeleteAlias":                     (*Service).deleteAlias,
	"ListAliases":                     (*Service).listAliases,
	"Encrypt":                         (*Service).encrypt,
	"Decrypt":                         (*Service).decrypt,
	"ReEncrypt":                       (*Service).reEncrypt,
	"GenerateDataKey":                 (*Service).generateDataKey,
	"GenerateDataKeyWithoutPlaintext": (*Service).generateDataKeyWithoutPlaintext,
	"GenerateRandom":                  (*Service).generateRandom,
	"EnableKeyRotation":               (*Service).enableKeyRotation,
	"DisableKeyRotation":              (*Service).disableKeyRotation,
	"GetKeyRotationStatus":            (*Service).getKeyRotationStatus,
	"RotateKeyOnDemand":               (*Service).rotateKeyOnDemand,
	"ListKeyRotations":                (*Service).listKeyRotations,
	"GetKeyPolicy":                    (*Service).getKeyPolicy,
	"PutKeyPolicy":                    (*Service).putKeyPolicy,
	"ListKeyPolicies":                 (*Service).listKeyPolicies,
	"CreateGrant":                     (*Service).createGrant,
	"ListGrants":                      (*Service).listGrants,
	"RevokeGrant":                     (*Service).revokeGrant,
	"RetireGrant":                     (*Service).retireGrant,
	"ListRetirableGrants":             (*Service).listRetirableGrants,
	"TagResource":                     (*Service).tagResource,
	"UntagResource":                   (*Service).untagResource,
	"ListResourceTags":                (*Service).listResourceTags,
}

// Serve implements awsapi.JSONService.
func (s *Service) Serve(ctx context.Context, call *awsapi.Call) (any, error) {
	h, ok := operations[call.Operation]
	if !ok {
		return nil, awsapi.UnknownOperation(call.Operation)
	}
	return h(s, call)
}

// Close implements io.Closer; state is already saved after every change.
func (s *Service) Close() error { return nil }

// decode reads the JSON request; wrong JSON or a field of the wrong type (bad
// base64 in a blob, a string where a number belongs) is a SerializationException.
func decode(call *awsapi.Call, v any) error {
	if err := json.Unmarshal(call.Body, v); err != nil {
		switch e := err.(type) {
		case *json.UnmarshalTypeError:
			return awsapi.Serialization("field %s: expected %s, got %s", e.Field, e.Type, e.Value)
		default:
			return awsapi.Serialization("cannot decode request: %v", err)
		}
	}
	return nil
}

func (s *Service) keyARN(region, id string) string {
	return "arn:aws:kms:" + region + ":" + s.opts.AccountID + ":key/" + id
}

func (s *Service) aliasARN(region, name string) string {
	return "arn:aws:kms:" + region + ":" + s.opts.AccountID + ":" + name
}

// resolveOpts say which identifier forms an operation accepts.
type resolveOpts struct {
	aliases bool // alias names and alias ARNs (cryptographic operations, DescribeKey)
}

// lookup finds a key by id, key ARN and, when allowed, alias name or alias ARN.
// It applies due transitions (deletion after DeletionDate, automatic rotation)
// first. Callers hold s.mu.
func (s *Service) lookup(region, id string, o resolveOpts) (*key, error) {
	if id == "" {
		return nil, required("keyId")
	}
	if len(id) > 2048 {
		return nil, lengthAtMost("keyId", 2048)
	}
	var keyID string
	switch {
	case strings.HasPrefix(id, "arn:"):
		parts := strings.SplitN(id, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return nil, errInvalidKeyID(id)
		}
		switch {
		case strings.HasPrefix(parts[5], "key/"):
			keyID = strings.TrimPrefix(parts[5], "key/")
			if parts[4] != s.opts.AccountID {
				return nil, errKeyNotFound(id)
			}
		case strings.HasPrefix(parts[5], "alias/") && o.aliases:
			if parts[4] != s.opts.AccountID {
				return nil, errAliasNotFound(id)
			}
			return s.lookupAlias(parts[3], parts[5])
		default:
			return nil, errInvalidKeyID(id)
		}
	case strings.HasPrefix(id, "alias/"):
		if !o.aliases {
			return nil, errInvalidKeyID(id)
		}
		return s.lookupAlias(region, id)
	default:
		keyID = id
	}
	if _, ok := uuidBytes(keyID); !ok {
		return nil, errInvalidKeyID(id)
	}
	k, ok := s.keys[keyID]
	if !ok || s.expire(k) || (strings.HasPrefix(id, "arn:") && id != k.ARN) {
		if strings.HasPrefix(id, "arn:") {
			return nil, errKeyNotFound(id)
		}
		return nil, errKeyNotFound(s.keyARN(region, keyID))
	}
	s.autoRotate(k)
	return k, nil
}

func (s *Service) lookupAlias(region, name string) (*key, error) {
	a, ok := s.aliases[name]
	if !ok && strings.HasPrefix(name, "alias/aws/") {
		// AWS managed keys appear on first use by their service.
		k := s.newKey(region, "Default key that protects my "+strings.TrimPrefix(name, "alias/aws/")+" data when no other key is defined", "AWS")
		now := s.now()
		a = &alias{Name: name, KeyID: k.KeyID, Created: now, Updated: now}
		s.aliases[name] = a
		if err := s.save(); err != nil {
			return nil, err
		}
	}
	if !ok && a == nil {
		return nil, errAliasNotFound(s.aliasARN(region, name))
	}
	k, found := s.keys[a.KeyID]
	if !found || s.expire(k) {
		return nil, errAliasNotFound(s.aliasARN(region, name))
	}
	s.autoRotate(k)
	return k, nil
}

// expire deletes a key whose waiting period is over, with its aliases, as KMS
// does at DeletionDate. It reports whether the key is gone.
func (s *Service) expire(k *key) bool {
	if k.State != statePendingDeletion || k.DeletionDate == nil || s.now().Before(*k.DeletionDate) {
		return false
	}
	delete(s.keys, k.KeyID)
	for name, a := range s.aliases {
		if a.KeyID == k.KeyID {
			delete(s.aliases, name)
		}
	}
	_ = s.save() // best effort: the next successful save records the deletion too
	return true
}

// autoRotate adds a material version when automatic rotation is due.
func (s *Service) autoRotate(k *key) {
	if !k.RotationEnabled || k.NextRotation == nil || k.State != stateEnabled || s.now().Before(*k.NextRotation) {
		return
	}
	s.addMaterial(k, "AUTOMATIC")
	next := s.now().AddDate(0, 0, k.RotationPeriod)
	k.NextRotation = &next
	_ = s.save()
}

// newKey creates an Enabled symmetric key with fresh material. Callers hold s.mu.
func (s *Service) newKey(region, description, manager string) *key {
	id := awsapi.NewUUID()
	k := &key{KeyID: id, ARN: s.keyARN(region, id), AccountID: s.opts.AccountID, Created: s.now(),
		Description: description, State: stateEnabled, Manager: manager, Policy: s.defaultPolicy()}
	s.addMaterial(k, "")
	if manager == "AWS" { // AWS managed keys rotate every year, always
		k.RotationEnabled, k.RotationPeriod = true, 365
		next := k.Created.AddDate(1, 0, 0)
		k.NextRotation = &next
	}
	s.keys[id] = k
	s.order = append(s.order, id)
	return k
}

func (s *Service) addMaterial(k *key, rotationType string) material {
	m := material{Version: uint32(len(k.Materials) + 1), Key: make([]byte, 32), Created: s.now()}
	_, _ = rand.Read(m.Key)
	sum := sha256.Sum256(append([]byte(k.KeyID), m.Key...))
	m.ID = hex.EncodeToString(sum[:])
	k.Materials = append(k.Materials, m)
	if rotationType != "" {
		k.Rotations = append(k.Rotations, rotation{Date: m.Created, Type: rotationType, MaterialID: m.ID})
	}
	return m
}

func (s *Service) defaultPolicy() string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + s.opts.AccountID + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// usable refuses cryptographic use of a key that is not Enabled.
func usable(k *key) error {
	switch k.State {
	case stateEnabled:
		return nil
	case stateDisabled:
		return errDisabled(k.ARN)
	case statePendingDeletion:
		return errPendingDeletion(k.ARN)
	default:
		return errInvalidState(k.ARN, k.State)
	}
}
