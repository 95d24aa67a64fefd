package endpoint

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"
)

// routeDebug serves the endpoint's own paths: health (also under LocalStack's
// path, for tools that poll it) and the CloudTrail events seen so far.
func (s *Server) routeDebug() {
	s.debug.HandleFunc("GET /_keyward/health", s.serveHealth)
	s.debug.HandleFunc("GET /_localstack/health", s.serveHealth)
	if s.Trail != nil {
		s.debug.Handle("GET /_keyward/cloudtrail/events", s.Trail)
	}
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	services := map[string]string{}
	for _, rt := range s.json {
		services[rt.signingName] = "running"
	}
	for name := range s.query {
		services[name] = "running"
	}
	for name := range s.rest {
		services[name] = "running"
	}
	s.mu.RUnlock()
	if st := s.dynamoDBState(); st != "" {
		services["dynamodb"] = st
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"status":      "ok",
		"services":    services,
		"serviceList": names,
		"edition":     "keyward",
		"persistence": s.opts.DataDir != "",
		"uptime":      time.Since(s.started).Round(time.Millisecond).String(),
	})
}
