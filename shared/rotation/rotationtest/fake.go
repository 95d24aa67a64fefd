// Package rotationtest provides an in-memory Secrets Manager that follows the
// documented staging semantics, for fast unit tests of rotation logic. Integration
// tests use the local endpoint instead.
package rotationtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keyward/keyward/localstack/awsapi"
)

type version struct {
	value  *string
	stages []string
}

type secret struct {
	arn, name  string
	enabled    bool
	lambda     string
	versions   map[string]*version
	versionSeq int
}

// SecretsManager is the fake. The zero value is not usable; call New.
type SecretsManager struct {
	mu      sync.Mutex
	secrets map[string]*secret
	Invoker awsapi.Invoker
}

// New returns an empty fake whose RotateSecret drives inv.
func New(inv awsapi.Invoker) *SecretsManager {
	return &SecretsManager{secrets: map[string]*secret{}, Invoker: inv}
}

func notFound(f string, a ...any) error {
	return &smtypes.ResourceNotFoundException{Message: aws.String(fmt.Sprintf(f, a...))}
}

func invalidRequest(f string, a ...any) error {
	return &smtypes.InvalidRequestException{Message: aws.String(fmt.Sprintf(f, a...))}
}

func (f *SecretsManager) find(id string) (*secret, error) {
	for _, s := range f.secrets {
		if s.arn == id || s.name == id {
			return s, nil
		}
	}
	return nil, notFound("Secrets Manager can't find the specified secret.")
}

// CreateSecret stores the first version as AWSCURRENT.
func (f *SecretsManager) CreateSecret(_ context.Context, in *secretsmanager.CreateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.Name)
	if _, err := f.find(name); err == nil {
		return nil, &smtypes.ResourceExistsException{Message: aws.String("exists")}
	}
	s := &secret{name: name, arn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:" + name + "-AbCdEf", versions: map[string]*version{}}
	f.secrets[name] = s
	vid := aws.ToString(in.ClientRequestToken)
	if vid == "" {
		vid = f.newID(s)
	}
	s.versions[vid] = &version{value: in.SecretString, stages: []string{"AWSCURRENT"}}
	return &secretsmanager.CreateSecretOutput{ARN: aws.String(s.arn), Name: aws.String(name), VersionId: aws.String(vid)}, nil
}

func (f *SecretsManager) newID(s *secret) string {
	s.versionSeq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.versionSeq)
}

// DescribeSecret reports rotation state and the staged versions.
func (f *SecretsManager) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(aws.ToString(in.SecretId))
	if err != nil {
		return nil, err
	}
	vs := map[string][]string{}
	for id, v := range s.versions {
		if len(v.stages) > 0 {
			vs[id] = slices.Clone(v.stages)
		}
	}
	return &secretsmanager.DescribeSecretOutput{ARN: aws.String(s.arn), Name: aws.String(s.name),
		RotationEnabled: aws.Bool(s.enabled), VersionIdsToStages: vs}, nil
}

// GetSecretValue reads by version id and/or stage; both must match when both are given.
func (f *SecretsManager) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(aws.ToString(in.SecretId))
	if err != nil {
		return nil, err
	}
	id, stage := aws.ToString(in.VersionId), aws.ToString(in.VersionStage)
	if id == "" && stage == "" {
		stage = "AWSCURRENT"
	}
	for vid, v := range s.versions {
		if (id == "" || vid == id) && (stage == "" || slices.Contains(v.stages, stage)) && v.value != nil {
			return &secretsmanager.GetSecretValueOutput{ARN: aws.String(s.arn), Name: aws.String(s.name),
				VersionId: aws.String(vid), SecretString: aws.String(*v.value), VersionStages: slices.Clone(v.stages)}, nil
		}
	}
	return nil, notFound("Secrets Manager can't find the specified secret value for VersionId: %s, staging label: %s", id, stage)
}

// PutSecretValue adds a version (idempotent for the same token and value) and moves its stages.
func (f *SecretsManager) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(aws.ToString(in.SecretId))
	if err != nil {
		return nil, err
	}
	vid := aws.ToString(in.ClientRequestToken)
	if vid == "" {
		vid = f.newID(s)
	}
	stages := in.VersionStages
	if len(stages) == 0 {
		stages = []string{"AWSCURRENT"}
	}
	v, ok := s.versions[vid]
	if ok && v.value != nil {
		if *v.value != aws.ToString(in.SecretString) {
			return nil, &smtypes.ResourceExistsException{Message: aws.String("You can't modify an existing version, you can only create a new version.")}
		}
	} else {
		if !ok {
			v = &version{}
			s.versions[vid] = v
		}
		v.value = aws.String(aws.ToString(in.SecretString))
	}
	for _, st := range stages {
		f.attach(s, st, vid)
	}
	return &secretsmanager.PutSecretValueOutput{ARN: aws.String(s.arn), VersionId: aws.String(vid), VersionStages: slices.Clone(v.stages)}, nil
}

// attach moves stage to vid; moving AWSCURRENT hands AWSPREVIOUS to the old current.
func (f *SecretsManager) attach(s *secret, stage, vid string) {
	for id, v := range s.versions {
		if id != vid && slices.Contains(v.stages, stage) {
			v.stages = slices.DeleteFunc(v.stages, func(x string) bool { return x == stage })
			if stage == "AWSCURRENT" {
				f.attach(s, "AWSPREVIOUS", id)
			}
		}
	}
	if v := s.versions[vid]; !slices.Contains(v.stages, stage) {
		v.stages = append(v.stages, stage)
	}
}

// UpdateSecretVersionStage moves a stage; RemoveFromVersionId must name its holder.
func (f *SecretsManager) UpdateSecretVersionStage(_ context.Context, in *secretsmanager.UpdateSecretVersionStageInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(aws.ToString(in.SecretId))
	if err != nil {
		return nil, err
	}
	stage, to, from := aws.ToString(in.VersionStage), aws.ToString(in.MoveToVersionId), aws.ToString(in.RemoveFromVersionId)
	for id, v := range s.versions {
		if slices.Contains(v.stages, stage) && id != from && id != to {
			return nil, &smtypes.InvalidParameterException{Message: aws.String(fmt.Sprintf("The staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", stage, id))}
		}
	}
	if to != "" {
		if _, ok := s.versions[to]; !ok {
			return nil, notFound("version %s not found", to)
		}
		f.attach(s, stage, to)
	} else if v, ok := s.versions[from]; ok {
		v.stages = slices.DeleteFunc(v.stages, func(x string) bool { return x == stage })
	}
	return &secretsmanager.UpdateSecretVersionStageOutput{ARN: aws.String(s.arn), Name: aws.String(s.name)}, nil
}

// GetRandomPassword draws from printable ASCII minus the exclusions.
func (f *SecretsManager) GetRandomPassword(_ context.Context, in *secretsmanager.GetRandomPasswordInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error) {
	n := int(aws.ToInt64(in.PasswordLength))
	if n == 0 {
		n = 32
	}
	var alphabet []byte
	for c := byte(33); c < 127; c++ {
		if !strings.ContainsRune(aws.ToString(in.ExcludeCharacters), rune(c)) {
			alphabet = append(alphabet, c)
		}
	}
	if aws.ToBool(in.IncludeSpace) {
		alphabet = append(alphabet, ' ')
	}
	out := make([]byte, n)
	for i := range out {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		out[i] = alphabet[k.Int64()]
	}
	return &secretsmanager.GetRandomPasswordOutput{RandomPassword: aws.String(string(out))}, nil
}

// CancelRotateSecret disables rotation (and, like AWS, leaves the stages alone).
func (f *SecretsManager) CancelRotateSecret(_ context.Context, in *secretsmanager.CancelRotateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.CancelRotateSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(aws.ToString(in.SecretId))
	if err != nil {
		return nil, err
	}
	s.enabled = false
	return &secretsmanager.CancelRotateSecretOutput{ARN: aws.String(s.arn)}, nil
}

// RotateSecret enables rotation and runs the four steps synchronously through the
// Invoker, like the local endpoint: while an AWSPENDING label sits on a version
// that is not AWSCURRENT (a rotation running or left incomplete) it is refused
// with InvalidRequestException; a failing step leaves AWSPENDING in place and,
// as on AWS, is not reported to the caller.
func (f *SecretsManager) RotateSecret(ctx context.Context, in *secretsmanager.RotateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error) {
	f.mu.Lock()
	s, err := f.find(aws.ToString(in.SecretId))
	if err != nil {
		f.mu.Unlock()
		return nil, err
	}
	for _, v := range s.versions {
		if slices.Contains(v.stages, "AWSPENDING") && !slices.Contains(v.stages, "AWSCURRENT") {
			f.mu.Unlock()
			return nil, invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.")
		}
	}
	if in.RotationLambdaARN != nil {
		s.lambda = *in.RotationLambdaARN
	}
	if s.lambda == "" {
		f.mu.Unlock()
		return nil, invalidRequest("No Lambda rotation function ARN is associated with this secret.")
	}
	s.enabled = true
	token := aws.ToString(in.ClientRequestToken)
	if token == "" {
		token = f.newID(s)
	}
	s.versions[token] = &version{}
	f.attach(s, "AWSPENDING", token)
	arn, fn := s.arn, s.lambda
	f.mu.Unlock()
	out := &secretsmanager.RotateSecretOutput{ARN: aws.String(arn), VersionId: aws.String(token)}
	for _, step := range []string{"createSecret", "setSecret", "testSecret", "finishSecret"} {
		payload, _ := json.Marshal(events.SecretsManagerSecretRotationEvent{Step: step, SecretID: arn, ClientRequestToken: token})
		if _, err := f.Invoker.Invoke(ctx, fn, payload); err != nil {
			return out, nil // AWSPENDING stays; AWS would reattempt later
		}
	}
	f.mu.Lock()
	if v := s.versions[token]; slices.Contains(v.stages, "AWSCURRENT") {
		v.stages = slices.DeleteFunc(v.stages, func(x string) bool { return x == "AWSPENDING" })
	}
	f.mu.Unlock()
	return out, nil
}
