package keyops

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxAuditRange bounds from..to of an audit query.
const MaxAuditRange = 90 * 24 * time.Hour

// getAudit: GET /v1/audit?resource=&from=&to=&limit= → audit events of a key
// ("alias/name" or a key ARN) or a secret (a name or an ARN), newest first.
func (h *Handler) getAudit(ctx context.Context, r *request) (response, error) {
	q := r.query
	res := q["resource"]
	if res == "" {
		return response{}, badRequest("resource is required: alias/<name>, a key ARN, a secret name or a secret ARN")
	}
	now := h.cfg.Now()
	to, err := timeParam(q, "to", now)
	if err != nil {
		return response{}, err
	}
	from, err := timeParam(q, "from", to.Add(-24*time.Hour))
	if err != nil {
		return response{}, err
	}
	if !from.Before(to) || to.Sub(from) > MaxAuditRange {
		return response{}, badRequest("from must be before to, at most 90 days apart")
	}
	limit := 100
	if l := q["limit"]; l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return response{}, badRequest("limit must be an integer from 1 to 1000")
		}
		limit = n
	}
	resource, err := h.auditResource(ctx, r, res)
	if err != nil {
		return response{}, err
	}
	evs, err := h.audit.Events(ctx, resource, from, to, limit)
	if err != nil {
		return response{}, fmt.Errorf("%w: audit events of %s: %w", ErrInternal, resource, err)
	}
	if evs == nil {
		evs = []AuditEvent{}
	}
	return ok(map[string]any{"resource": resource, "from": from, "to": to, "events": evs})
}

// auditResource authorizes audit:read on the resource and returns the identifier the
// audit store files it under (the key ARN for keys).
func (h *Handler) auditResource(ctx context.Context, r *request, res string) (string, error) {
	switch {
	case strings.HasPrefix(res, "alias/"):
		alias, err := normalizeAlias("resource", res)
		if err != nil {
			return "", err
		}
		if err := h.authorize(ctx, r, ActAuditRead, resKey, alias); err != nil {
			return "", err
		}
		k, err := h.registered(ctx, alias)
		if err != nil {
			return "", err
		}
		return k.KeyARN, nil
	case strings.HasPrefix(res, "arn:") && strings.Contains(res, ":kms:") && strings.Contains(res, ":key/"):
		k, found, err := h.byKeyARN(ctx, res)
		if err != nil {
			return "", err
		}
		if !found {
			return "", notFound("key %s is not registered with keyops", truncate(res, 120))
		}
		if err := h.authorize(ctx, r, ActAuditRead, resKey, k.Alias); err != nil {
			return "", err
		}
		return k.KeyARN, nil
	case strings.HasPrefix(res, "arn:") && strings.Contains(res, ":secretsmanager:") && strings.Contains(res, ":secret:"):
		name := res[strings.Index(res, ":secret:")+len(":secret:"):]
		if i := strings.LastIndex(name, "-"); i > 0 && len(name)-i == 7 { // the random -XXXXXX suffix
			name = name[:i]
		}
		if err := validSecretName(name); err != nil {
			return "", err
		}
		return res, h.authorize(ctx, r, ActAuditRead, resSecret, name)
	case strings.HasPrefix(res, "arn:"):
		return "", badRequest("resource: only KMS key and Secrets Manager secret ARNs are audited here")
	}
	if err := validSecretName(res); err != nil {
		return "", err
	}
	return res, h.authorize(ctx, r, ActAuditRead, resSecret, res)
}

func timeParam(q map[string]string, name string, def time.Time) (time.Time, error) {
	v := q[name]
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badRequest("%s must be an RFC 3339 time", name)
	}
	return t, nil
}
