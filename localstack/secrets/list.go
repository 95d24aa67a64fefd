package secrets

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

// page cuts items[start:] to max entries and returns the next token ("" at the end).
func page(n int, token *string, max *int64) (start, end int, next *string, err *awsapi.Error) {
	limit := 100
	if max != nil {
		if *max < 1 || *max > 100 {
			return 0, 0, nil, awsapi.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100", *max)
		}
		limit = int(*max)
	}
	if token != nil {
		raw, derr := base64.RawURLEncoding.DecodeString(*token)
		i, cerr := strconv.Atoi(strings.TrimPrefix(string(raw), "kw:"))
		if derr != nil || cerr != nil || !strings.HasPrefix(string(raw), "kw:") || i < 0 || i > n {
			return 0, 0, nil, awsapi.NewError(http.StatusBadRequest, "InvalidNextTokenException", "The NextToken value is invalid.")
		}
		start = i
	}
	end = min(n, start+limit)
	if end < n {
		t := base64.RawURLEncoding.EncodeToString([]byte("kw:" + strconv.Itoa(end)))
		next = &t
	}
	return start, end, next, nil
}

type listSecretVersionIDsInput struct {
	SecretId          string
	MaxResults        *int64
	NextToken         *string
	IncludeDeprecated bool
}

type versionEntry struct {
	VersionId        string   `json:"VersionId"`
	VersionStages    []string `json:"VersionStages,omitempty"`
	LastAccessedDate *epoch   `json:"LastAccessedDate,omitempty"`
	CreatedDate      *epoch   `json:"CreatedDate,omitempty"`
	KmsKeyIds        []string `json:"KmsKeyIds,omitempty"`
}

type listSecretVersionIDsOutput struct {
	Versions  []versionEntry `json:"Versions"`
	NextToken *string        `json:"NextToken,omitempty"`
	ARN       string         `json:"ARN"`
	Name      string         `json:"Name"`
}

func (s *Service) listSecretVersionIDs(_ context.Context, call *awsapi.Call) (any, error) {
	var in listSecretVersionIDsInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	var vs []*version
	for _, v := range sec.versionsInOrder() {
		if len(v.Stages) > 0 || in.IncludeDeprecated {
			vs = append(vs, v)
		}
	}
	start, end, next, perr := page(len(vs), in.NextToken, in.MaxResults)
	if perr != nil {
		return nil, perr
	}
	out := listSecretVersionIDsOutput{ARN: sec.ARN, Name: sec.Name, NextToken: next, Versions: []versionEntry{}}
	for _, v := range vs[start:end] {
		e := versionEntry{VersionId: v.ID, VersionStages: slices.Clone(v.Stages), LastAccessedDate: ts(day(v.LastAccessed)), CreatedDate: ts(v.Created)}
		if v.KeyARN != "" {
			e.KmsKeyIds = []string{v.KeyARN}
		}
		out.Versions = append(out.Versions, e)
	}
	return out, nil
}

// Filter is ListSecrets' filter.
type Filter struct {
	Key    string
	Values []string
}

type listSecretsInput struct {
	IncludePlannedDeletion bool
	MaxResults             *int64
	NextToken              *string
	Filters                []Filter
	SortOrder              *string
}

type listSecretsOutput struct {
	SecretList []secretEntry `json:"SecretList"`
	NextToken  *string       `json:"NextToken,omitempty"`
}

var filterKeys = []string{"description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"}

func (s *Service) listSecrets(_ context.Context, call *awsapi.Call) (any, error) {
	var in listSecretsInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filters); err != nil {
		return nil, err
	}
	desc := false
	if in.SortOrder != nil {
		switch *in.SortOrder {
		case "asc":
		case "desc":
			desc = true
		default:
			return nil, awsapi.Validation("1 validation error detected: Value '%s' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]", *in.SortOrder)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purge(s.now())
	var list []*secret
	for _, sec := range s.secrets {
		if (!sec.deleted() || in.IncludePlannedDeletion) && sec.matches(in.Filters, s.opts.Region) {
			list = append(list, sec)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created) != desc
		}
		return (a.Name < b.Name) != desc
	})
	start, end, next, perr := page(len(list), in.NextToken, in.MaxResults)
	if perr != nil {
		return nil, perr
	}
	out := listSecretsOutput{SecretList: []secretEntry{}, NextToken: next}
	for _, sec := range list[start:end] {
		e := sec.entry()
		e.SecretVersionsToStages = sec.versionsToStages()
		out.SecretList = append(out.SecretList, e)
	}
	return out, nil
}

func checkFilters(fs []Filter) *awsapi.Error {
	if len(fs) > 10 {
		return errLength("filters", 10)
	}
	for _, f := range fs {
		if !slices.Contains(filterKeys, f.Key) {
			return awsapi.Validation("1 validation error detected: Value '%s' at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [%s]", f.Key, strings.Join(filterKeys, ", "))
		}
		if len(f.Values) == 0 || len(f.Values) > 10 {
			return errParam("Invalid filter values for key %s.", f.Key)
		}
		for _, v := range f.Values {
			if len(v) > 512 {
				return errLength("filters.member.values.member", 512)
			}
		}
	}
	return nil
}

// matches applies ListSecrets filters: every filter must match; within a filter
// any value may match; a value starting with "!" negates its match.
func (sec *secret) matches(fs []Filter, region string) bool {
	for _, f := range fs {
		ok := false
		for _, v := range f.Values {
			neg := strings.HasPrefix(v, "!")
			if neg {
				v = v[1:]
			}
			if sec.matchOne(f.Key, v, region) != neg {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (sec *secret) matchOne(key, v, region string) bool {
	tagKeys, tagValues := []string{}, []string{}
	for _, t := range sec.Tags {
		tagKeys, tagValues = append(tagKeys, deref(t.Key)), append(tagValues, deref(t.Value))
	}
	anyPrefix := func(list []string, p string, fold bool) bool {
		for _, s := range list {
			if strings.HasPrefix(s, p) || fold && strings.HasPrefix(strings.ToLower(s), strings.ToLower(p)) {
				return true
			}
		}
		return false
	}
	switch key {
	case "name":
		return strings.HasPrefix(sec.Name, v)
	case "description":
		return anyPrefix([]string{sec.Description}, v, true)
	case "tag-key":
		return anyPrefix(tagKeys, v, false)
	case "tag-value":
		return anyPrefix(tagValues, v, false)
	case "primary-region":
		return strings.HasPrefix(region, v)
	case "owning-service":
		return v == ""
	default: // all: every word must prefix-match some attribute word, case-insensitively
		var words []string
		for _, a := range append(append([]string{sec.Name, sec.Description}, tagKeys...), tagValues...) {
			words = append(words, strings.FieldsFunc(a, func(r rune) bool { return strings.ContainsRune(" /_+=.@-", r) })...)
			words = append(words, a)
		}
		for _, w := range strings.Fields(v) {
			if !anyPrefix(words, w, true) {
				return false
			}
		}
		return true
	}
}
