package secrets

import (
	"context"
	"slices"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

const maxTags = 50

func checkTags(tags []Tag) *awsapi.Error {
	if len(tags) > maxTags {
		return errParam("Number of tags exceeds the limit of %d.", maxTags)
	}
	for _, t := range tags {
		k, v := deref(t.Key), deref(t.Value)
		switch {
		case k == "":
			return errMinLength("tags.member.key", 1)
		case len(k) > 128:
			return errLength("tags.member.key", 128)
		case len(v) > 256:
			return errLength("tags.member.value", 256)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return errParam("Invalid tag key. The prefix aws: is reserved for AWS use.")
		}
	}
	return nil
}

// mergeTags adds or replaces tags by key.
func mergeTags(have, add []Tag) []Tag {
	out := slices.Clone(have)
	for _, t := range add {
		i := slices.IndexFunc(out, func(h Tag) bool { return deref(h.Key) == deref(t.Key) })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	return out
}

type tagResourceInput struct {
	SecretId string
	Tags     []Tag
}

func (s *Service) tagResource(_ context.Context, call *awsapi.Call) (any, error) {
	var in tagResourceInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, awsapi.Validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	merged := mergeTags(sec.Tags, in.Tags)
	if len(merged) > maxTags {
		return nil, errParam("Number of tags exceeds the limit of %d.", maxTags)
	}
	sec.Tags = merged
	sec.LastChanged = s.now()
	return struct{}{}, nil
}

type untagResourceInput struct {
	SecretId string
	TagKeys  []string
}

func (s *Service) untagResource(_ context.Context, call *awsapi.Call) (any, error) {
	var in untagResourceInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, awsapi.Validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	sec.Tags = slices.DeleteFunc(slices.Clone(sec.Tags), func(t Tag) bool { return slices.Contains(in.TagKeys, deref(t.Key)) })
	sec.LastChanged = s.now()
	return struct{}{}, nil
}
