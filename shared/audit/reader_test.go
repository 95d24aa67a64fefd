package audit

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestReadAPIRejectsBadQueries(t *testing.T) {
	s := NewStore(nopDB{}, StoreConfig{})
	ctx := context.Background()
	now := time.Now()
	ok := EventQuery{From: now.Add(-time.Hour), To: now}
	backwards := EventQuery{From: now, To: now.Add(-time.Hour)}
	checks := map[string]error{}
	_, checks["events without resource"] = s.EventsByResource(ctx, "", ok)
	_, checks["events backwards"] = s.EventsByResource(ctx, testKey, backwards)
	_, checks["events without window"] = s.EventsByPrincipal(ctx, testRole, EventQuery{})
	_, checks["events by name without name"] = s.EventsByName(ctx, "", "", ok)
	_, checks["counts with both subjects"] = s.Counts(ctx, CountQuery{Resource: testKey, Principal: testRole, From: ok.From, To: ok.To})
	_, checks["counts with neither"] = s.Counts(ctx, CountQuery{From: ok.From, To: ok.To})
	_, checks["counts with a bad granularity"] = s.Counts(ctx, CountQuery{Resource: testKey, Granularity: "w", From: ok.From, To: ok.To})
	_, checks["usage backwards"] = s.Usage(ctx, testKey, now, now.Add(-time.Minute))
	_, _, checks["first seen without resource"] = s.FirstSeen(ctx, "", SeenPrincipal, testRole)
	_, checks["last uses without resource"] = s.LastUses(ctx, "")
	_, checks["activity backwards"] = s.ActiveResources(ctx, now, now.Add(-time.Hour))
	checks["apply without unit"] = s.Apply(ctx, "", NewBatch())
	for name, err := range checks {
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("%s: err = %v, want ErrBadQuery", name, err)
		}
	}
}

func TestMatchOperationsAndOutcomes(t *testing.T) {
	for _, tt := range []struct {
		patterns []string
		op       string
		want     bool
	}{
		{nil, "Decrypt", true},
		{[]string{"Decrypt"}, "Decrypt", true},
		{[]string{"GenerateDataKey*"}, "GenerateDataKeyWithoutPlaintext", true},
		{[]string{"GenerateDataKey*"}, "Decrypt", false},
		{[]string{"ReEncrypt*", "Encrypt"}, "ReEncrypt", true},
	} {
		if got := matchOp(tt.patterns, tt.op); got != tt.want {
			t.Errorf("matchOp(%v, %s) = %v", tt.patterns, tt.op, got)
		}
	}
	if !matchOutcome([]string{OutcomeFailed}, "AccessDenied") || matchOutcome([]string{OutcomeFailed}, OutcomeOK) {
		t.Error("OutcomeFailed must match every error and only errors")
	}
}
