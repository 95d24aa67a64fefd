package secrets

import (
	"crypto/rand"
	"strings"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

const (
	maxNameLen     = 512
	maxSecretIDLen = 2048
	suffixLen      = 6
	suffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// validName applies CreateSecret's Name rules: 1–512 characters from
// letters, digits and /_+=.@- .
func validName(name string) *awsapi.Error {
	if name == "" {
		return errMinLength("name", 1)
	}
	if len(name) > maxNameLen {
		return errLength("name", maxNameLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+=.@-", r)) {
			return errParam("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@")
		}
	}
	return nil
}

func validSecretID(id string) *awsapi.Error {
	if id == "" {
		return errMinLength("secretId", 1)
	}
	if len(id) > maxSecretIDLen {
		return errLength("secretId", maxSecretIDLen)
	}
	return nil
}

// randomSuffix is the "-AbCdEf" Secrets Manager appends to a secret's ARN.
func randomSuffix() string {
	b := make([]byte, suffixLen)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = suffixAlphabet[int(b[i])%len(suffixAlphabet)]
	}
	return string(b)
}

func (s *Service) arnFor(name string) string {
	return "arn:aws:secretsmanager:" + s.opts.Region + ":" + s.opts.AccountID + ":secret:" + name + "-" + randomSuffix()
}

// lookup finds a secret by name, full ARN or partial ARN (the ARN without its
// random suffix). A secret whose recovery window has passed is purged first.
// The caller holds s.mu.
func (s *Service) lookup(id string) (*secret, *awsapi.Error) {
	if err := validSecretID(id); err != nil {
		return nil, err
	}
	s.purge(s.now())
	if sec, ok := s.secrets[id]; ok {
		return sec, nil
	}
	prefix := "arn:aws:secretsmanager:" + s.opts.Region + ":" + s.opts.AccountID + ":secret:"
	name := id
	if strings.HasPrefix(id, "arn:") {
		if !strings.HasPrefix(id, prefix) {
			return nil, errNotFound()
		}
		name = strings.TrimPrefix(id, prefix) // a partial ARN ends with the name
	}
	if sec, ok := s.byName[name]; ok {
		return sec, nil
	}
	return nil, errNotFound()
}

// lookupLive is lookup refusing a secret scheduled for deletion.
func (s *Service) lookupLive(id string) (*secret, *awsapi.Error) {
	sec, err := s.lookup(id)
	if err != nil {
		return nil, err
	}
	if sec.deleted() {
		return nil, errMarkedForDeletion()
	}
	return sec, nil
}

// purge removes secrets whose deletion date has passed.
func (s *Service) purge(now time.Time) {
	for _, sec := range s.deleting {
		if !now.Before(sec.DeletionDate) {
			s.remove(sec)
		}
	}
}

// add indexes a new or restored secret. The caller holds s.mu.
func (s *Service) add(sec *secret) {
	s.secrets[sec.ARN] = sec
	s.byName[sec.Name] = sec
	if sec.deleted() {
		s.deleting[sec.ARN] = sec
	}
}

// remove forgets a secret for good. The caller holds s.mu.
func (s *Service) remove(sec *secret) {
	delete(s.secrets, sec.ARN)
	delete(s.byName, sec.Name)
	delete(s.deleting, sec.ARN)
}
