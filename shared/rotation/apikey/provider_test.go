package apikey

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const adminToken = "admin-token-0123456789"

// provider is an API-key issuer: POST /keys (admin), GET /whoami (a key),
// DELETE /keys/{id} (admin).
type provider struct {
	mu          sync.Mutex
	srv         *httptest.Server
	active      map[string]string // id → key
	byIdem      map[string]string // Idempotency-Key → id
	n           int
	minted      int
	failRevokes int             // fail this many DELETEs with 500
	onRevoke    func(id string) // called before a revoke takes effect
}

func newProvider(t *testing.T) *provider {
	p := &provider{active: map[string]string{}, byIdem: map[string]string{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) mint() (string, string) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	p.n++
	p.minted++
	id, key := fmt.Sprintf("k-%d", p.n), "key-"+hex.EncodeToString(b)
	p.active[id] = key
	return id, key
}

func (p *provider) serve(w http.ResponseWriter, r *http.Request) {
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/keys":
		if bearer != adminToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		idem := r.Header.Get("Idempotency-Key")
		if id, ok := p.byIdem[idem]; ok && idem != "" {
			_ = json.NewEncoder(w).Encode(map[string]string{"id": id, "key": p.active[id]})
			return
		}
		id, key := p.mint()
		p.byIdem[idem] = id
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": id, "key": key})
	case r.Method == http.MethodGet && r.URL.Path == "/whoami":
		for _, k := range p.active {
			if k == bearer && bearer != "" {
				return
			}
		}
		w.WriteHeader(http.StatusUnauthorized)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/keys/"):
		if bearer != adminToken {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if p.failRevokes > 0 {
			p.failRevokes--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/keys/")
		if _, ok := p.active[id]; !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if p.onRevoke != nil {
			p.mu.Unlock()
			p.onRevoke(id)
			p.mu.Lock()
		}
		delete(p.active, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (p *provider) isActive(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.active {
		if k == key {
			return true
		}
	}
	return false
}
