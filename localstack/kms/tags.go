package kms

import (
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

const maxTags = 50

func checkTags(tags []tag) error {
	for _, t := range tags {
		switch {
		case t.TagKey == "" || len(t.TagKey) > 128:
			return kmsErr("TagException", "Tag key must be between 1 and 128 characters")
		case len(t.TagValue) > 256:
			return kmsErr("TagException", "Tag value must be at most 256 characters")
		case strings.HasPrefix(strings.ToLower(t.TagKey), "aws:"):
			return kmsErr("TagException", "Tags beginning with aws: are reserved")
		}
	}
	return nil
}

// mergeTags sets each new tag, replacing the value of an existing key.
func mergeTags(old, add []tag) []tag {
	out := append([]tag(nil), old...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].TagKey == t.TagKey {
				out[i].TagValue, replaced = t.TagValue, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func (s *Service) tagResource(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID string `json:"KeyId"`
		Tags  []tag
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if in.Tags == nil {
			return nil, required("tags")
		}
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		merged := mergeTags(k.Tags, in.Tags)
		if len(merged) > maxTags {
			return nil, kmsErr("LimitExceededException", "A KMS key can have at most %d tags", maxTags)
		}
		k.Tags = merged
		return nil, s.save()
	})
}

func (s *Service) untagResource(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID   string `json:"KeyId"`
		TagKeys []string
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if in.TagKeys == nil {
			return nil, required("tagKeys")
		}
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		drop := map[string]bool{}
		for _, tk := range in.TagKeys {
			drop[tk] = true
		}
		kept := k.Tags[:0:0]
		for _, t := range k.Tags {
			if !drop[t.TagKey] {
				kept = append(kept, t)
			}
		}
		k.Tags = kept
		return nil, s.save()
	})
}

func (s *Service) listResourceTags(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID string `json:"KeyId"`
		pageInput
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		start, end, next, err := page(in.pageInput, len(k.Tags))
		if err != nil {
			return nil, err
		}
		return paged(map[string]any{"Tags": append([]tag{}, k.Tags[start:end]...)}, next), nil
	})
}
