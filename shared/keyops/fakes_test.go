package keyops

// In-memory fakes for fast unit tests of the API logic. The integration tests
// (integration_test.go) run the same API against the local endpoint instead.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

func apiErr(code, format string, a ...any) error {
	return &smithy.GenericAPIError{Code: code, Message: fmt.Sprintf(format, a...)}
}

type fakeKey struct {
	id, arn, policy string
	state           kmstypes.KeyState
	rotation        bool
	deletion        *time.Time
}

type fakeKMS struct {
	mu      sync.Mutex
	keys    map[string]*fakeKey
	aliases map[string]string
	grants  map[string]kmstypes.GrantListEntry
	calls   map[string]int
}

func newFakeKMS() *fakeKMS {
	return &fakeKMS{keys: map[string]*fakeKey{}, aliases: map[string]string{}, grants: map[string]kmstypes.GrantListEntry{}, calls: map[string]int{}}
}

func (f *fakeKMS) count(op string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls[op] }

func randHex(n int) string { b := make([]byte, n); _, _ = rand.Read(b); return hex.EncodeToString(b) }

func (f *fakeKMS) key(id string) (*fakeKey, error) {
	if a, ok := f.aliases[id]; ok {
		id = a
	}
	if i := strings.LastIndex(id, ":key/"); i >= 0 {
		id = id[i+5:]
	}
	k, ok := f.keys[id]
	if !ok {
		return nil, apiErr("NotFoundException", "key %s not found", id)
	}
	return k, nil
}

func (f *fakeKMS) op(name string) { f.calls[name]++ }

func (f *fakeKMS) CreateKey(_ context.Context, in *kms.CreateKeyInput, _ ...func(*kms.Options)) (*kms.CreateKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("CreateKey")
	id := randHex(16)
	k := &fakeKey{id: id, arn: "arn:aws:kms:us-east-1:111122223333:key/" + id, policy: aws.ToString(in.Policy), state: kmstypes.KeyStateEnabled}
	f.keys[id] = k
	return &kms.CreateKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{KeyId: &k.id, Arn: &k.arn}}, nil
}

func (f *fakeKMS) CreateAlias(_ context.Context, in *kms.CreateAliasInput, _ ...func(*kms.Options)) (*kms.CreateAliasOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("CreateAlias")
	if _, ok := f.aliases[*in.AliasName]; ok {
		return nil, apiErr("AlreadyExistsException", "alias exists")
	}
	f.aliases[*in.AliasName] = *in.TargetKeyId
	return &kms.CreateAliasOutput{}, nil
}

func (f *fakeKMS) EnableKeyRotation(_ context.Context, in *kms.EnableKeyRotationInput, _ ...func(*kms.Options)) (*kms.EnableKeyRotationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("EnableKeyRotation")
	k, err := f.key(*in.KeyId)
	if err != nil {
		return nil, err
	}
	k.rotation = true
	return &kms.EnableKeyRotationOutput{}, nil
}

func (f *fakeKMS) GetKeyRotationStatus(_ context.Context, in *kms.GetKeyRotationStatusInput, _ ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, err := f.key(*in.KeyId)
	if err != nil {
		return nil, err
	}
	return &kms.GetKeyRotationStatusOutput{KeyRotationEnabled: k.rotation}, nil
}

func (f *fakeKMS) RotateKeyOnDemand(_ context.Context, in *kms.RotateKeyOnDemandInput, _ ...func(*kms.Options)) (*kms.RotateKeyOnDemandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("RotateKeyOnDemand")
	if _, err := f.key(*in.KeyId); err != nil {
		return nil, err
	}
	return &kms.RotateKeyOnDemandOutput{KeyId: in.KeyId}, nil
}

func (f *fakeKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, err := f.key(*in.KeyId)
	if err != nil {
		return nil, err
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{KeyId: &k.id, Arn: &k.arn, KeyState: k.state, DeletionDate: k.deletion}}, nil
}

func (f *fakeKMS) setState(id string, want, from kmstypes.KeyState) error {
	k, err := f.key(id)
	if err != nil {
		return err
	}
	if from != "" && k.state != from {
		return apiErr("KMSInvalidStateException", "key is %s", k.state)
	}
	k.state = want
	return nil
}

func (f *fakeKMS) DisableKey(_ context.Context, in *kms.DisableKeyInput, _ ...func(*kms.Options)) (*kms.DisableKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("DisableKey")
	return &kms.DisableKeyOutput{}, f.setState(*in.KeyId, kmstypes.KeyStateDisabled, "")
}

func (f *fakeKMS) EnableKey(_ context.Context, in *kms.EnableKeyInput, _ ...func(*kms.Options)) (*kms.EnableKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("EnableKey")
	return &kms.EnableKeyOutput{}, f.setState(*in.KeyId, kmstypes.KeyStateEnabled, "")
}

func (f *fakeKMS) ScheduleKeyDeletion(_ context.Context, in *kms.ScheduleKeyDeletionInput, _ ...func(*kms.Options)) (*kms.ScheduleKeyDeletionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("ScheduleKeyDeletion")
	k, err := f.key(*in.KeyId)
	if err != nil {
		return nil, err
	}
	d := time.Now().Add(time.Duration(aws.ToInt32(in.PendingWindowInDays)) * 24 * time.Hour)
	k.state, k.deletion = kmstypes.KeyStatePendingDeletion, &d
	return &kms.ScheduleKeyDeletionOutput{KeyId: &k.arn, DeletionDate: &d}, nil
}

func (f *fakeKMS) CancelKeyDeletion(_ context.Context, in *kms.CancelKeyDeletionInput, _ ...func(*kms.Options)) (*kms.CancelKeyDeletionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("CancelKeyDeletion")
	if err := f.setState(*in.KeyId, kmstypes.KeyStateDisabled, kmstypes.KeyStatePendingDeletion); err != nil {
		return nil, err
	}
	return &kms.CancelKeyDeletionOutput{}, nil
}

func (f *fakeKMS) CreateGrant(_ context.Context, in *kms.CreateGrantInput, _ ...func(*kms.Options)) (*kms.CreateGrantOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("CreateGrant")
	k, err := f.key(*in.KeyId)
	if err != nil {
		return nil, err
	}
	id := randHex(32)
	now := time.Now()
	f.grants[id] = kmstypes.GrantListEntry{GrantId: &id, KeyId: &k.arn, GranteePrincipal: in.GranteePrincipal, Operations: in.Operations, Constraints: in.Constraints, CreationDate: &now}
	tok := "token-" + id
	return &kms.CreateGrantOutput{GrantId: &id, GrantToken: &tok}, nil
}

func (f *fakeKMS) ListGrants(_ context.Context, in *kms.ListGrantsInput, _ ...func(*kms.Options)) (*kms.ListGrantsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, err := f.key(*in.KeyId)
	if err != nil {
		return nil, err
	}
	out := &kms.ListGrantsOutput{}
	for _, g := range f.grants {
		if *g.KeyId == k.arn {
			out.Grants = append(out.Grants, g)
		}
	}
	return out, nil
}

func (f *fakeKMS) RevokeGrant(_ context.Context, in *kms.RevokeGrantInput, _ ...func(*kms.Options)) (*kms.RevokeGrantOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("RevokeGrant")
	if _, err := f.key(*in.KeyId); err != nil {
		return nil, err
	}
	if _, ok := f.grants[*in.GrantId]; !ok {
		return nil, apiErr("NotFoundException", "grant not found")
	}
	delete(f.grants, *in.GrantId)
	return &kms.RevokeGrantOutput{}, nil
}

func (f *fakeKMS) usable(id string) (*fakeKey, error) {
	k, err := f.key(id)
	if err != nil {
		return nil, err
	}
	if k.state != kmstypes.KeyStateEnabled {
		return nil, apiErr("DisabledException", "key is %s", k.state)
	}
	return k, nil
}

func (f *fakeKMS) GenerateDataKey(_ context.Context, in *kms.GenerateDataKeyInput, _ ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("GenerateDataKey")
	k, err := f.usable(*in.KeyId)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, 32)
	_, _ = rand.Read(pt)
	return &kms.GenerateDataKeyOutput{KeyId: &k.arn, Plaintext: pt, CiphertextBlob: append([]byte("blob:"), pt...)}, nil
}

func (f *fakeKMS) GenerateDataKeyWithoutPlaintext(_ context.Context, in *kms.GenerateDataKeyWithoutPlaintextInput, _ ...func(*kms.Options)) (*kms.GenerateDataKeyWithoutPlaintextOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op("GenerateDataKeyWithoutPlaintext")
	k, err := f.usable(*in.KeyId)
	if err != nil {
		return nil, err
	}
	return &kms.GenerateDataKeyWithoutPlaintextOutput{KeyId: &k.arn, CiphertextBlob: []byte("blob:" + randHex(32))}, nil
}

// fakeEnvelope stands in for shared/envelope in unit tests: a JSON "message" with
// the key ARN and context in clear and the body XOR-masked (not encryption!).
type fakeEnvelope struct {
	kms *fakeKMS
	mu  sync.Mutex
	n   map[string]int // Encrypt calls per key
}

type fakeMessage struct {
	Magic string            `json:"magic"`
	Keys  []string          `json:"keys"`
	EC    map[string]string `json:"ec"`
	Body  string            `json:"body"`
}

func mask(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[i] ^ 0xA5
	}
	return out
}

func (e *fakeEnvelope) Encrypt(_ context.Context, keyARN string, pt []byte, ec map[string]string) ([]byte, error) {
	e.mu.Lock()
	if e.n == nil {
		e.n = map[string]int{}
	}
	e.n[keyARN]++
	e.mu.Unlock()
	return json.Marshal(fakeMessage{Magic: "fake-esdk", Keys: []string{keyARN}, EC: ec, Body: base64.StdEncoding.EncodeToString(mask(pt))})
}

func (e *fakeEnvelope) parse(msg []byte) (fakeMessage, error) {
	var m fakeMessage
	if err := json.Unmarshal(msg, &m); err != nil || m.Magic != "fake-esdk" {
		return m, errors.New("fake: malformed message")
	}
	return m, nil
}

func (e *fakeEnvelope) Header(msg []byte) (MessageHeader, error) {
	m, err := e.parse(msg)
	return MessageHeader{EncryptionContext: m.EC, KeyARNs: m.Keys}, err
}

func (e *fakeEnvelope) Decrypt(_ context.Context, msg []byte, allowed []string, required map[string]string) ([]byte, error) {
	m, err := e.parse(msg)
	if err != nil {
		return nil, err
	}
	for k, v := range required {
		if m.EC[k] != v {
			return nil, errors.New("fake: context mismatch")
		}
	}
	e.kms.mu.Lock()
	_, kerr := e.kms.usable(m.Keys[0])
	e.kms.mu.Unlock()
	if kerr != nil {
		return nil, kerr
	}
	b, _ := base64.StdEncoding.DecodeString(m.Body)
	return mask(b), nil
}

func (e *fakeEnvelope) Rewrap(_ context.Context, msg []byte, from []string, to string) ([]byte, error) {
	m, err := e.parse(msg)
	if err != nil {
		return nil, err
	}
	m.Keys = []string{to}
	return json.Marshal(m)
}

// fakeAudit is an audit store with uses set by the test.
type fakeAudit struct {
	mu     sync.Mutex
	uses   map[string][]Use
	events map[string][]AuditEvent
}

func (a *fakeAudit) addUse(resource string, u Use) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.uses == nil {
		a.uses = map[string][]Use{}
	}
	a.uses[resource] = append(a.uses[resource], u)
}

func (a *fakeAudit) LastUse(_ context.Context, resources []string, since time.Time) (Use, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var best Use
	found := false
	for _, r := range resources {
		for _, u := range a.uses[r] {
			if !u.At.Before(since) && (!found || u.At.After(best.At)) {
				best, found = u, true
			}
		}
	}
	return best, found, nil
}

func (a *fakeAudit) Events(_ context.Context, resource string, from, to time.Time, limit int) ([]AuditEvent, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.events[resource], nil
}

// fakeSecrets is Secrets Manager and the secret cache in one.
type fakeSecrets struct {
	mu       sync.Mutex
	versions map[string][]smtypes.SecretVersionsListEntry
	values   map[string]string // versionId → value
	reads    int
}

func newFakeSecrets() *fakeSecrets {
	return &fakeSecrets{versions: map[string][]smtypes.SecretVersionsListEntry{}, values: map[string]string{}}
}

func (s *fakeSecrets) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := *in.SecretId
	id := randHex(16)
	stages := in.VersionStages
	if len(stages) == 0 {
		stages = []string{"AWSCURRENT"}
	}
	vs := s.versions[name]
	for i := range vs {
		var keep []string
		for _, st := range vs[i].VersionStages {
			if st == "AWSCURRENT" && contains(stages, "AWSCURRENT") {
				keep = append(keep, "AWSPREVIOUS")
				continue
			}
			if st != "AWSPREVIOUS" || !contains(stages, "AWSCURRENT") {
				keep = append(keep, st)
			}
		}
		vs[i].VersionStages = keep
	}
	now := time.Now()
	s.versions[name] = append(vs, smtypes.SecretVersionsListEntry{VersionId: &id, VersionStages: stages, CreatedDate: &now})
	s.values[id] = *in.SecretString
	return &secretsmanager.PutSecretValueOutput{Name: &name, VersionId: &id, VersionStages: stages}, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (s *fakeSecrets) RotateSecret(_ context.Context, in *secretsmanager.RotateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.versions[*in.SecretId]; !ok {
		return nil, apiErr("ResourceNotFoundException", "secret not found")
	}
	id := randHex(16)
	return &secretsmanager.RotateSecretOutput{Name: in.SecretId, VersionId: &id}, nil
}

func (s *fakeSecrets) ListSecretVersionIds(_ context.Context, in *secretsmanager.ListSecretVersionIdsInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretVersionIdsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs, ok := s.versions[*in.SecretId]
	if !ok {
		return nil, apiErr("ResourceNotFoundException", "secret not found")
	}
	return &secretsmanager.ListSecretVersionIdsOutput{Versions: vs}, nil
}

func (s *fakeSecrets) GetSecretStringWithStageWithContext(_ context.Context, name, stage string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	vs, ok := s.versions[name]
	if !ok {
		return "", apiErr("ResourceNotFoundException", "secret not found")
	}
	for _, v := range vs {
		if contains(v.VersionStages, stage) {
			return s.values[*v.VersionId], nil
		}
	}
	return "", apiErr("ResourceNotFoundException", "no version in stage")
}

func (s *fakeSecrets) RefreshNowWithContext(context.Context, string) {}
