package secrets

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"time"
)

// RotateDue starts every scheduled rotation that is due at now (rotation
// enabled, NextRotationDate not after now, no rotation in progress), one after
// the other, and returns the ARNs of the secrets it rotated. The local endpoint
// has no scheduler of its own: a test or the debug URL calls this, with now
// moved forward to "travel" to a rotation window.
func (s *Service) RotateDue(ctx context.Context, now time.Time) []string {
	s.mu.Lock()
	var due []string
	for arn, sec := range s.secrets {
		next := sec.nextRotation()
		if !sec.deleted() && sec.RotationEnabled && !next.IsZero() && !next.After(now) && !sec.rotationInProgress() {
			due = append(due, arn)
		}
	}
	s.mu.Unlock()
	sort.Strings(due)
	var rotated []string
	for _, arn := range due {
		r, _, undo, err := s.startRotation(rotateSecretInput{SecretId: arn})
		if err != nil {
			continue // deleted or started meanwhile
		}
		if err := s.runRotation(ctx, r, undo); err == nil {
			rotated = append(rotated, arn)
		}
		s.mu.Lock()
		_ = s.save()
		s.mu.Unlock()
	}
	return rotated
}

// RotateDueHandler serves POST /_keyward/secretsmanager/rotate-due[?at=RFC3339]:
// it runs RotateDue at the given time (default now) and lists the rotated ARNs.
func (s *Service) RotateDueHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		at := s.now()
		if v := r.URL.Query().Get("at"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				http.Error(w, "at must be an RFC 3339 time", http.StatusBadRequest)
				return
			}
			at = t
		}
		rotated := s.RotateDue(context.WithoutCancel(r.Context()), at)
		if rotated == nil {
			rotated = []string{}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = jsonEncode(w, map[string]any{"rotated": rotated})
	})
}

func jsonEncode(w http.ResponseWriter, v any) error { return json.NewEncoder(w).Encode(v) }
