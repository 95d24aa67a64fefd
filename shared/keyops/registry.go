package keyops

import (
	"context"
	"strings"

	"github.com/keyward/keyward/shared/table"
)

// Key states in the registry.
const (
	StateCreating        = "Creating"
	StateEnabled         = "Enabled"
	StateDisabled        = "Disabled"
	StatePendingDeletion = "PendingDeletion"
)

// registered returns the registry item of alias (cached for RegistryTTL), or 404.
func (h *Handler) registered(ctx context.Context, alias string) (table.KeyItem, error) {
	if k, found, ok := h.keys.get(alias); ok {
		if !found {
			return k, notFound("key alias/%s is not registered with keyops", alias)
		}
		return k, nil
	}
	k, found, err := h.store.GetKey(ctx, alias)
	if err != nil {
		return k, err
	}
	found = found && k.KeyARN != ""
	h.keys.put(alias, k, found)
	if !found {
		return k, notFound("key alias/%s is not registered with keyops", alias)
	}
	return k, nil
}

// usable returns the registry item of an Enabled key for a data-plane call.
func (h *Handler) usable(ctx context.Context, alias string) (table.KeyItem, error) {
	k, err := h.registered(ctx, alias)
	if err != nil {
		return k, err
	}
	if k.State != StateEnabled {
		return k, conflict("KeyNotEnabled", "key alias/%s is %s", alias, k.State)
	}
	return k, nil
}

// byKeyARN finds the registered key of a key ARN from a message header.
func (h *Handler) byKeyARN(ctx context.Context, arn string) (table.KeyItem, bool, error) {
	id := arn
	if i := strings.LastIndex(arn, ":key/"); i >= 0 {
		id = arn[i+len(":key/"):]
	}
	if k, found, ok := h.keyIDs.get(id); ok {
		return k, found, nil
	}
	k, found, err := h.store.KeyByID(ctx, id)
	if err != nil {
		return k, false, err
	}
	h.keyIDs.put(id, k, found)
	return k, found, nil
}

// forgetKey drops cached registry state after a lifecycle change.
func (h *Handler) forgetKey(k table.KeyItem) {
	h.keys.forget(k.Alias)
	h.keyIDs.forget(k.KeyID)
}

// missingContext names the first required context key absent from ec.
func missingContext(required []string, ec map[string]string) string {
	for _, k := range required {
		if ec[k] == "" {
			return k
		}
	}
	return ""
}
