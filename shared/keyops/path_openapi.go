package keyops

import (
	"context"
	_ "embed"
)

// OpenAPI is the committed OpenAPI 3.1 document of the API, served at GET /openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handler) getOpenAPI(context.Context, *request) (response, error) {
	return ok(rawJSON(OpenAPI))
}
