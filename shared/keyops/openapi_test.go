package keyops

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// The committed OpenAPI document and the router describe the same operations:
// every route's name is an operationId on its method, and every documented
// operation is routed.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			documented[op.OperationID] = true
			concrete := strings.NewReplacer("{alias}", "app-x", "{name}", "app/db", "{grantId}", "g1").Replace(path)
			rt, _, err := match(strings.ToUpper(method), concrete)
			if err != nil {
				t.Errorf("%s %s is documented but not routed: %v", method, path, err)
				continue
			}
			if rt.name != op.OperationID {
				t.Errorf("%s %s: operationId %s, route %s", method, path, op.OperationID, rt.name)
			}
			if _, ok := op.Responses["500"]; !ok && !rt.public {
				t.Errorf("%s %s: no 500 response documented", method, path)
			}
		}
	}
	routes := []*route{routeOpenAPI, routeEncrypt, routeDecrypt, routeRewrap, routeDatakey, routeAudit, routeListKeys,
		routeCreate, routeGetKey, routeCreateGrant, routeListGrants, routeRevokeGrant, routeGetSecret, routePutSecret,
		routeRotateSecret, routeSecretVersions}
	for _, rt := range keyActions {
		routes = append(routes, rt)
	}
	var missing []string
	for _, rt := range routes {
		if !documented[rt.name] {
			missing = append(missing, rt.name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json: %v", missing)
	}
}
