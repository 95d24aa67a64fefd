package keyops

import (
	"context"
	"time"

	"github.com/keyward/keyward/shared/audit"
)

// AuditStore is the part of the audit read API (shared/audit.Store) keyops calls.
type AuditStore interface {
	LastUse(ctx context.Context, resource string, ops []string, since time.Time) (audit.LastUse, bool, error)
	EventsByResource(ctx context.Context, resource string, q audit.EventQuery) ([]audit.Record, error)
}

// useOperations are the CloudTrail event names that count as a use of a key.
var useOperations = []string{"Decrypt", "Encrypt", "GenerateDataKey*", "ReEncrypt*"}

// FromAudit adapts the audit store to AuditReader. Every attempt counts as a use,
// failed ones included: a caller still trying a disabled key is a reason not to
// delete it.
func FromAudit(s AuditStore) AuditReader { return auditReader{s} }

type auditReader struct{ s AuditStore }

func (a auditReader) LastUse(ctx context.Context, resources []string, since time.Time) (Use, bool, error) {
	var best Use
	found := false
	for _, r := range resources {
		u, ok, err := a.s.LastUse(ctx, r, useOperations, since)
		if err != nil {
			return Use{}, false, err
		}
		if ok && (!found || u.Time.After(best.At)) {
			p := u.PrincipalARN
			if p == "" {
				p = u.Principal
			}
			best, found = Use{Principal: p, Operation: u.Operation, At: u.Time}, true
		}
	}
	return best, found, nil
}

func (a auditReader) Events(ctx context.Context, resource string, from, to time.Time, limit int) ([]AuditEvent, error) {
	recs, err := a.s.EventsByResource(ctx, resource, audit.EventQuery{From: from, To: to, Limit: limit, Newest: true})
	if err != nil {
		return nil, err
	}
	out := make([]AuditEvent, 0, len(recs))
	for _, r := range recs {
		p := r.Principal.ARN
		if p == "" {
			p = r.Principal.Key
		}
		out = append(out, AuditEvent{EventID: r.EventID, Time: r.Time, Name: r.Name, Source: r.Source,
			Principal: p, SourceIP: r.SourceIP, ErrorCode: r.ErrorCode})
	}
	return out, nil
}
