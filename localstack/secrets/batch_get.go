package secrets

import (
	"context"
	"errors"
	"slices"
	"sort"

	"github.com/keyward/keyward/localstack/awsapi"
)

type batchGetSecretValueInput struct {
	SecretIdList []string
	Filters      []Filter
	MaxResults   *int64
	NextToken    *string
}

type secretValueEntry struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionId     string   `json:"VersionId"`
	SecretString  *string  `json:"SecretString,omitempty"`
	SecretBinary  []byte   `json:"SecretBinary,omitempty"`
	VersionStages []string `json:"VersionStages"`
	CreatedDate   *epoch   `json:"CreatedDate,omitempty"`
}

type apiErrorEntry struct {
	SecretId  string `json:"SecretId"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

type batchGetSecretValueOutput struct {
	SecretValues []secretValueEntry `json:"SecretValues"`
	Errors       []apiErrorEntry    `json:"Errors,omitempty"`
	NextToken    *string            `json:"NextToken,omitempty"`
}

// batchGetSecretValue returns the AWSCURRENT value of up to 20 secrets, named by
// SecretIdList or selected by Filters (not both); a secret that cannot be read
// is reported in Errors instead of failing the call.
func (s *Service) batchGetSecretValue(ctx context.Context, call *awsapi.Call) (any, error) {
	var in batchGetSecretValueInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if (in.SecretIdList == nil) == (in.Filters == nil) {
		return nil, errParam("Either SecretIdList or Filters must be provided, but not both.")
	}
	if len(in.SecretIdList) > 20 {
		return nil, errLength("secretIdList", 20)
	}
	if in.SecretIdList != nil && (in.MaxResults != nil || in.NextToken != nil) {
		return nil, errParam("MaxResults and NextToken can only be used with Filters.")
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 20) {
		return nil, awsapi.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 20", *in.MaxResults)
	}
	if err := checkFilters(in.Filters); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := batchGetSecretValueOutput{SecretValues: []secretValueEntry{}}
	ids := in.SecretIdList
	if in.Filters != nil {
		s.purge(s.now())
		var arns []string
		for arn, sec := range s.secrets {
			if !sec.deleted() && sec.matches(in.Filters, s.opts.Region) {
				arns = append(arns, arn)
			}
		}
		sort.Strings(arns)
		max := int64(20)
		if in.MaxResults != nil {
			max = *in.MaxResults
		}
		start, end, next, perr := page(len(arns), in.NextToken, &max)
		if perr != nil {
			return nil, perr
		}
		ids, out.NextToken = arns[start:end], next
	}
	for _, id := range slices.Compact(slices.Clone(ids)) {
		entry, err := s.currentValue(ctx, id)
		if err != nil {
			var ae *awsapi.Error
			if !errors.As(err, &ae) {
				return nil, err
			}
			out.Errors = append(out.Errors, apiErrorEntry{SecretId: id, ErrorCode: ae.Code, Message: ae.Message})
			continue
		}
		out.SecretValues = append(out.SecretValues, entry)
	}
	return out, nil
}

// currentValue reads one secret's AWSCURRENT value. The caller holds s.mu.
func (s *Service) currentValue(ctx context.Context, id string) (secretValueEntry, error) {
	sec, lerr := s.lookupLive(id)
	if lerr != nil {
		return secretValueEntry{}, lerr
	}
	v, perr := sec.pick(nil, nil)
	if perr != nil {
		return secretValueEntry{}, perr
	}
	plain, err := s.open(ctx, sec, v)
	if err != nil {
		return secretValueEntry{}, err
	}
	now := s.now()
	sec.LastAccessed, v.LastAccessed = now, now
	e := secretValueEntry{ARN: sec.ARN, Name: sec.Name, VersionId: v.ID, VersionStages: slices.Clone(v.Stages), CreatedDate: ts(v.Created)}
	if v.Binary {
		e.SecretBinary = plain
	} else {
		str := string(plain)
		e.SecretString = &str
	}
	return e, nil
}
