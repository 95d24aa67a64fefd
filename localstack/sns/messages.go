package sns

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// record keeps a published message (and appends it to the journal). The caller holds s.mu.
func (s *Service) record(m Message) error {
	if s.journal != nil {
		if err := s.journal.append(m); err != nil {
			return err
		}
	}
	s.messages = append(s.messages, m)
	if over := len(s.messages) - s.opts.MaxMessages; over > 0 {
		s.messages = slices.Delete(s.messages, 0, over)
	}
	return nil
}

// Messages returns the recorded messages, oldest first; topic, when not empty,
// keeps those published to that topic ARN or topic name.
func (s *Service) Messages(topic string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Message{}
	for _, m := range s.messages {
		if topic == "" || m.Topic == topic || strings.HasSuffix(m.Topic, ":"+topic) {
			m.Deliveries = slices.Clone(m.Deliveries) // the worker updates the stored ones
			out = append(out, m)
		}
	}
	return out
}

// MessagesHandler serves the debug URL /_keyward/sns/messages: GET lists the
// recorded messages as JSON (?topic=<arn or name> filters), DELETE forgets them.
func (s *Service) MessagesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(s.Messages(r.URL.Query().Get("topic")))
		case http.MethodDelete:
			s.mu.Lock()
			s.messages = nil
			err := s.journal.truncate()
			s.mu.Unlock()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, HEAD, DELETE")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}
