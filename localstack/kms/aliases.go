package kms

import (
	"regexp"
	"sort"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

var aliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)

func checkAliasName(name string, creating bool) error {
	switch {
	case name == "":
		return required("aliasName")
	case len(name) > 256:
		return lengthAtMost("aliasName", 256)
	case !aliasPattern.MatchString(name):
		return validation("aliasName", name, "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")
	case creating && strings.HasPrefix(name, "alias/aws/"):
		return kmsErr("InvalidAliasNameException", "Alias must not begin with 'alias/aws/'. The alias/aws/ prefix is reserved for AWS managed keys.")
	}
	return nil
}

type aliasInput struct {
	AliasName   string
	TargetKeyID string `json:"TargetKeyId"`
}

// aliasTarget resolves the key an alias may point at: a customer managed key
// named by id or key ARN, not pending deletion.
func (s *Service) aliasTarget(call *awsapi.Call, id string) (*key, error) {
	if id == "" {
		return nil, required("targetKeyId")
	}
	k, err := s.lookup(call.Region, id, resolveOpts{})
	if err != nil {
		return nil, err
	}
	if k.Manager == "AWS" {
		return nil, kmsErr("NotAuthorizedException", "Cannot point an alias at an AWS managed key")
	}
	if k.State == statePendingDeletion {
		return nil, errPendingDeletion(k.ARN)
	}
	return k, nil
}

func (s *Service) createAlias(call *awsapi.Call) (any, error) {
	var in aliasInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if err := checkAliasName(in.AliasName, true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.aliasTarget(call, in.TargetKeyID)
	if err != nil {
		return nil, err
	}
	if _, ok := s.aliases[in.AliasName]; ok {
		return nil, kmsErr("AlreadyExistsException", "An alias with the name %s already exists", s.aliasARN(call.Region, in.AliasName))
	}
	now := s.now()
	s.aliases[in.AliasName] = &alias{Name: in.AliasName, KeyID: k.KeyID, Created: now, Updated: now}
	return nil, s.save()
}

func (s *Service) updateAlias(call *awsapi.Call) (any, error) {
	var in aliasInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if err := checkAliasName(in.AliasName, true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.aliases[in.AliasName]
	if !ok {
		return nil, errAliasNotFound(s.aliasARN(call.Region, in.AliasName))
	}
	k, err := s.aliasTarget(call, in.TargetKeyID)
	if err != nil {
		return nil, err
	}
	a.KeyID, a.Updated = k.KeyID, s.now()
	return nil, s.save()
}

func (s *Service) deleteAlias(call *awsapi.Call) (any, error) {
	var in aliasInput
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if err := checkAliasName(in.AliasName, true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.aliases[in.AliasName]; !ok {
		return nil, errAliasNotFound(s.aliasARN(call.Region, in.AliasName))
	}
	delete(s.aliases, in.AliasName)
	return nil, s.save()
}

type aliasEntry struct {
	AliasName       string
	AliasArn        string
	TargetKeyId     string `json:",omitempty"`
	CreationDate    *epoch `json:",omitempty"`
	LastUpdatedDate *epoch `json:",omitempty"`
}

func (s *Service) listAliases(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID string `json:"KeyId"`
		pageInput
	}
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	filter := ""
	if in.KeyID != "" {
		k, err := s.lookup(call.Region, in.KeyID, resolveOpts{})
		if err != nil {
			return nil, err
		}
		filter = k.KeyID
	}
	names := make([]string, 0, len(s.aliases))
	for n, a := range s.aliases {
		if k, ok := s.keys[a.KeyID]; ok && !s.expire(k) && (filter == "" || a.KeyID == filter) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	start, end, next, err := page(in.pageInput, len(names))
	if err != nil {
		return nil, err
	}
	out := []aliasEntry{}
	for _, n := range names[start:end] {
		a := s.aliases[n]
		c, u := epoch(a.Created), epoch(a.Updated)
		out = append(out, aliasEntry{AliasName: n, AliasArn: s.aliasARN(call.Region, n), TargetKeyId: a.KeyID,
			CreationDate: &c, LastUpdatedDate: &u})
	}
	return paged(map[string]any{"Aliases": out}, next), nil
}
