package keyops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/keyward/keyward/shared/table"
)

// idempotent runs a mutating route under an Idempotency-Key: the first request with
// a key runs and its 2xx response is stored; the same key and the same request
// replay that response; the same key with a different request is a 409. Keys are
// scoped to the caller. Failed requests release the key so that they can be retried.
func (h *Handler) idempotent(ctx context.Context, r *request, rt *route, key string) (response, bool, error) {
	if err := validIdempotencyKey(key); err != nil {
		return response{}, false, err
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%s\n", r.method, r.path)
	sum.Write(r.body)
	hash := hex.EncodeToString(sum.Sum(nil))
	now := h.cfg.Now()
	item := table.NewIdempotencyItem(r.principal, key, hash, now, h.cfg.IdempotencyTTL)
	prev, err := h.store.BeginIdempotent(ctx, item, now)
	if err != nil {
		return response{}, false, err
	}
	if prev != nil {
		r.action, r.resource = "idempotency-replay", rt.name
		switch {
		case prev.RequestHash != hash:
			return response{}, false, conflict("IdempotencyKeyReused",
				"Idempotency-Key %q was used for a different request", key)
		case prev.State != table.IdempotencyDone:
			return response{}, false, conflict("IdempotencyInProgress",
				"a request with Idempotency-Key %q is still in progress", key)
		}
		return response{status: prev.Status, body: rawJSON(prev.Body)}, true, nil
	}
	resp, err := h.run(ctx, r, rt)
	if err != nil || resp.status/100 != 2 {
		// release the key; the original error wins over a failed release
		if rerr := h.store.AbortIdempotent(context.WithoutCancel(ctx), item.PK); rerr != nil && err == nil {
			err = rerr
		}
		return resp, false, err
	}
	body, err := jsonBody(resp.body)
	if err != nil {
		return response{}, false, err
	}
	if err := h.store.CompleteIdempotent(context.WithoutCancel(ctx), item.PK, resp.status, body); err != nil {
		return response{}, false, errors.Join(ErrInternal, err)
	}
	return response{status: resp.status, body: rawJSON(body)}, false, nil
}

func validIdempotencyKey(k string) error {
	if len(k) == 0 || len(k) > 255 {
		return badRequest("Idempotency-Key must be 1 to 255 characters")
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return badRequest("Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return nil
}
