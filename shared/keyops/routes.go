package keyops

import (
	"context"
	"net/url"
	"strings"
)

// route is one API operation.
type route struct {
	name     string // OpenAPI operationId
	method   string
	mutating bool // accepts Idempotency-Key
	public   bool // no caller identity needed (the OpenAPI document)
	maxBody  int
	fn       func(h *Handler, ctx context.Context, r *request) (response, error)
}

var (
	routeOpenAPI  = &route{name: "getOpenAPI", method: "GET", public: true, fn: (*Handler).getOpenAPI}
	routeEncrypt  = &route{name: "encrypt", method: "POST", maxBody: MaxEncryptBody, fn: (*Handler).encrypt}
	routeDecrypt  = &route{name: "decrypt", method: "POST", maxBody: MaxEncryptBody, fn: (*Handler).decrypt}
	routeRewrap   = &route{name: "rewrap", method: "POST", maxBody: MaxEncryptBody, fn: (*Handler).rewrap}
	routeDatakey  = &route{name: "datakey", method: "POST", maxBody: MaxControlBody, fn: (*Handler).datakey}
	routeAudit    = &route{name: "getAudit", method: "GET", fn: (*Handler).getAudit}
	routeListKeys = &route{name: "listKeys", method: "GET", fn: (*Handler).listKeys}
	routeCreate   = &route{name: "createKey", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).createKey}
	routeGetKey   = &route{name: "getKey", method: "GET", fn: (*Handler).getKey}

	// POST /v1/keys/{alias}/<action>
	keyActions = map[string]*route{
		"rotate":            {name: "rotateKey", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).rotateKey},
		"disable":           {name: "disableKey", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).disableKey},
		"enable":            {name: "enableKey", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).enableKey},
		"schedule-deletion": {name: "scheduleKeyDeletion", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).scheduleDeletion},
		"cancel-deletion":   {name: "cancelKeyDeletion", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).cancelDeletion},
	}
	routeCreateGrant = &route{name: "createGrant", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).createGrant}
	routeListGrants  = &route{name: "listGrants", method: "GET", fn: (*Handler).listGrants}
	routeRevokeGrant = &route{name: "revokeGrant", method: "DELETE", mutating: true, fn: (*Handler).revokeGrant}

	routeGetSecret      = &route{name: "getSecret", method: "GET", fn: (*Handler).getSecret}
	routePutSecret      = &route{name: "putSecret", method: "PUT", mutating: true, maxBody: MaxEncryptBody, fn: (*Handler).putSecret}
	routeRotateSecret   = &route{name: "rotateSecret", method: "POST", mutating: true, maxBody: MaxControlBody, fn: (*Handler).rotateSecret}
	routeSecretVersions = &route{name: "listSecretVersions", method: "GET", fn: (*Handler).secretVersions}
)

// reservedSegments cannot end an alias or a secret name: they name sub-resources.
var reservedSegments = map[string]bool{
	"rotate": true, "disable": true, "enable": true, "schedule-deletion": true,
	"cancel-deletion": true, "grants": true, "versions": true,
}

// match finds the route of method and path. Aliases and secret names may contain
// "/", so sub-resources are recognised by their trailing segments.
func match(method, path string) (*route, map[string]string, error) {
	var candidates []*route
	params := map[string]string{}
	switch {
	case path == "/openapi.json":
		candidates = []*route{routeOpenAPI}
	case path == "/v1/encrypt":
		candidates = []*route{routeEncrypt}
	case path == "/v1/decrypt":
		candidates = []*route{routeDecrypt}
	case path == "/v1/rewrap":
		candidates = []*route{routeRewrap}
	case path == "/v1/datakey":
		candidates = []*route{routeDatakey}
	case path == "/v1/audit":
		candidates = []*route{routeAudit}
	case path == "/v1/keys" || path == "/v1/keys/":
		candidates = []*route{routeListKeys, routeCreate}
	case strings.HasPrefix(path, "/v1/keys/"):
		rest := strings.TrimPrefix(path, "/v1/keys/")
		if i := strings.LastIndex(rest, "/grants/"); i > 0 && !strings.Contains(rest[i+len("/grants/"):], "/") {
			params["alias"], params["grantId"] = rest[:i], rest[i+len("/grants/"):]
			candidates = []*route{routeRevokeGrant}
		} else if a, ok := strings.CutSuffix(rest, "/grants"); ok {
			params["alias"] = a
			candidates = []*route{routeListGrants, routeCreateGrant}
		} else if i := strings.LastIndex(rest, "/"); i > 0 && keyActions[rest[i+1:]] != nil {
			params["alias"] = rest[:i]
			candidates = []*route{keyActions[rest[i+1:]]}
		} else {
			params["alias"] = rest
			candidates = []*route{routeGetKey}
		}
	case strings.HasPrefix(path, "/v1/secrets/"):
		rest := strings.TrimPrefix(path, "/v1/secrets/")
		if n, ok := strings.CutSuffix(rest, "/rotate"); ok {
			params["name"] = n
			candidates = []*route{routeRotateSecret}
		} else if n, ok := strings.CutSuffix(rest, "/versions"); ok {
			params["name"] = n
			candidates = []*route{routeSecretVersions}
		} else {
			params["name"] = rest
			candidates = []*route{routeGetSecret, routePutSecret}
		}
	}
	if len(candidates) == 0 {
		return nil, nil, newError(ErrNotFound, "NoSuchRoute", "no route for %s %s", method, path)
	}
	for k, v := range params {
		u, err := url.PathUnescape(v)
		if err != nil || u == "" {
			return nil, nil, badRequest("path parameter %s is not a valid path segment", k)
		}
		params[k] = u
	}
	for _, rt := range candidates {
		if rt.method == method {
			return rt, params, nil
		}
	}
	return nil, nil, newError(ErrNotFound, "NoSuchRoute", "no route for %s %s", method, path)
}
