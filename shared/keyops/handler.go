package keyops

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/keyward/keyward/shared/table"
)

// Deps are the clients a Handler calls.
type Deps struct {
	KMS            KMS
	SecretsManager SecretsManager
	Secrets        SecretCache
	Envelope       Envelope
	Audit          AuditReader
	DB             DynamoDB
	Table          string
	Logger         *slog.Logger // decisions and access lines; never payloads
	Metrics        io.Writer    // CloudWatch EMF lines (stdout in Lambda)
}

// Handler serves the keyops API.
type Handler struct {
	cfg      Config
	kms      KMS
	sm       SecretsManager
	secrets  SecretCache
	env      Envelope
	audit    AuditReader
	store    *Store
	log      *slog.Logger
	metrics  *emf
	policies *ttlCache[table.PolicyItem]
	keys     *ttlCache[table.KeyItem]
	keyIDs   *ttlCache[table.KeyItem]
	uses     *useThrottle
}

// New builds a Handler; every dependency is required.
func New(cfg Config, d Deps) (*Handler, error) {
	cfg = cfg.withDefaults()
	switch {
	case d.KMS == nil, d.SecretsManager == nil, d.Secrets == nil, d.Envelope == nil, d.Audit == nil, d.DB == nil:
		return nil, errors.New("keyops: KMS, SecretsManager, Secrets, Envelope, Audit and DB are required")
	case d.Table == "":
		return nil, errors.New("keyops: table name is required")
	case cfg.AccountID == "":
		return nil, errors.New("keyops: account id is required (key policy root statement)")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = io.Discard
	}
	return &Handler{
		cfg: cfg, kms: d.KMS, sm: d.SecretsManager, secrets: d.Secrets, env: d.Envelope, audit: d.Audit,
		store:    &Store{DB: d.DB, Table: d.Table},
		log:      d.Logger,
		metrics:  newEMF(d.Metrics, cfg.Now),
		policies: newTTLCache[table.PolicyItem](cfg.PolicyTTL, cfg.Now),
		keys:     newTTLCache[table.KeyItem](cfg.RegistryTTL, cfg.Now),
		keyIDs:   newTTLCache[table.KeyItem](cfg.RegistryTTL, cfg.Now),
		uses:     newUseThrottle(cfg.UseGranularity),
	}, nil
}

// Store exposes the handler's table access (seeding policies, tests).
func (h *Handler) Store() *Store { return h.store }

// request is one API call after API Gateway decoding.
type request struct {
	method, path string
	routeName    string
	principal    string // the policy principal: a role ARN for assumed-role sessions
	caller       string // the caller as API Gateway saw it (session ARN), for attribution
	requestID    string
	headers      map[string]string // lower-case names
	query        map[string]string
	body         []byte
	params       map[string]string

	// set by authorize: the decision that let the call through
	action, resource string
	authorized       bool
}

// response is a route's result before JSON encoding.
type response struct {
	status int
	body   any
}

func ok(body any) (response, error) { return response{status: http.StatusOK, body: body}, nil }
func created(body any) (response, error) {
	return response{status: http.StatusCreated, body: body}, nil
}

// Handle serves one API Gateway HTTP API (payload 2.0) request. It never returns an
// error: failures are HTTP responses, logged once here.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	start := time.Now()
	r := &request{
		method:    strings.ToUpper(ev.RequestContext.HTTP.Method),
		path:      ev.RawPath,
		requestID: ev.RequestContext.RequestID,
		headers:   make(map[string]string, len(ev.Headers)),
		query:     ev.QueryStringParameters,
	}
	if r.path == "" {
		r.path = ev.RequestContext.HTTP.Path
	}
	for k, v := range ev.Headers {
		r.headers[strings.ToLower(k)] = v
	}
	if iam := authorizerIAM(ev); iam != nil {
		r.caller = iam.UserARN
		r.principal = PolicyPrincipal(iam.UserARN)
	}
	resp, replayed, err := h.serve(ctx, r, ev)
	out := h.encode(r, resp, err)
	if replayed {
		out.Headers["idempotent-replayed"] = "true"
	}
	h.logAccess(ctx, r, out.StatusCode, err, time.Since(start))
	return out, nil
}

func authorizerIAM(ev events.APIGatewayV2HTTPRequest) *events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription {
	if ev.RequestContext.Authorizer == nil {
		return nil
	}
	return ev.RequestContext.Authorizer.IAM
}

func (h *Handler) serve(ctx context.Context, r *request, ev events.APIGatewayV2HTTPRequest) (resp response, replayed bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: panic in %s: %v", ErrInternal, r.routeName, p)
		}
	}()
	rt, params, err := match(r.method, r.path)
	if err != nil {
		return response{}, false, err
	}
	r.routeName, r.params = rt.name, params
	if rt.public {
		resp, err := rt.fn(h, ctx, r)
		return resp, false, err
	}
	if r.principal == "" {
		return response{}, false, forbidden("no IAM caller identity (requestContext.authorizer.iam.userArn)")
	}
	body, err := decodeBody(ev, rt.maxBody)
	if err != nil {
		return response{}, false, err
	}
	r.body = body
	if rt.mutating {
		if key, ok := r.headers["idempotency-key"]; ok {
			return h.idempotent(ctx, r, rt, key)
		}
	}
	resp, err = h.run(ctx, r, rt)
	return resp, false, err
}

// run calls a route and refuses any success that skipped authorization.
func (h *Handler) run(ctx context.Context, r *request, rt *route) (response, error) {
	resp, err := rt.fn(h, ctx, r)
	if err == nil && !r.authorized {
		return response{}, fmt.Errorf("%w: route %s returned without an authorization decision", ErrInternal, rt.name)
	}
	return resp, err
}

func decodeBody(ev events.APIGatewayV2HTTPRequest, limit int) ([]byte, error) {
	if limit == 0 {
		limit = MaxControlBody
	}
	raw := ev.Body
	if len(raw) > base64.StdEncoding.EncodedLen(limit)+4 {
		return nil, newError(ErrTooLarge, "PayloadTooLarge", "request body exceeds %d bytes", limit)
	}
	var body []byte
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return nil, badRequest("request body is not valid base64")
		}
		body = b
	} else {
		body = []byte(raw)
	}
	if len(body) > limit {
		return nil, newError(ErrTooLarge, "PayloadTooLarge", "request body exceeds %d bytes", limit)
	}
	return body, nil
}

// encode turns a route result or error into the API Gateway response.
func (h *Handler) encode(r *request, resp response, err error) events.APIGatewayV2HTTPResponse {
	out := events.APIGatewayV2HTTPResponse{Headers: map[string]string{"content-type": "application/json"}}
	if err != nil {
		status, code, msg, details := statusOf(err)
		out.StatusCode = status
		out.Body = errorBody(code, msg, details)
		return out
	}
	out.StatusCode = resp.status
	switch b := resp.body.(type) {
	case rawJSON:
		out.Body = string(b)
	case nil:
		out.Body = "{}"
	default:
		js, jerr := json.Marshal(b)
		if jerr != nil {
			out.StatusCode = http.StatusInternalServerError
			out.Body = errorBody("InternalError", "internal error", nil)
			return out
		}
		out.Body = string(js)
	}
	return out
}

// rawJSON is a response body that is already JSON (OpenAPI document, replays).
type rawJSON []byte

func errorBody(code, msg string, details any) string {
	type apiErr struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details any    `json:"details,omitempty"`
	}
	b, _ := json.Marshal(struct {
		Error apiErr `json:"error"`
	}{apiErr{code, msg, details}})
	return string(b)
}

// logAccess writes the one access line of a request (no payloads) and its metrics.
// Internal errors are logged here, once, with their cause.
func (h *Handler) logAccess(ctx context.Context, r *request, status int, err error, d time.Duration) {
	attrs := []slog.Attr{
		slog.String("route", r.routeName), slog.String("method", r.method),
		slog.Int("status", status), slog.String("principal", r.principal), slog.String("caller", r.caller),
		slog.String("apiRequestId", r.requestID), slog.Duration("duration", d),
	}
	if r.action != "" {
		attrs = append(attrs, slog.String("action", r.action), slog.String("resource", r.resource))
	}
	level := slog.LevelInfo
	if err != nil {
		_, code, _, _ := statusOf(err)
		attrs = append(attrs, slog.String("errorCode", code))
		if status >= 500 {
			level = slog.LevelError
			attrs = append(attrs, slog.String("error", err.Error()))
		}
	}
	h.log.LogAttrs(ctx, level, "keyops request", attrs...)
	h.metrics.request(r.routeName, status, d)
}

func jsonBody(b any) (string, error) {
	if raw, ok := b.(rawJSON); ok {
		return string(raw), nil
	}
	if b == nil {
		return "{}", nil
	}
	js, err := json.Marshal(b)
	if err != nil {
		return "", fmt.Errorf("%w: encode response: %v", ErrInternal, err)
	}
	return string(js), nil
}
