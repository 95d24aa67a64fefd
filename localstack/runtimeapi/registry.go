package runtimeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/keyward/keyward/localstack/awsapi"
)

var _ awsapi.Invoker = (*Registry)(nil)

// Registry holds the local functions by name; it implements awsapi.Invoker.
type Registry struct {
	mu  sync.RWMutex
	fns map[string]*Function
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{fns: map[string]*Function{}} }

// Add registers f under its name, replacing a function of the same name.
func (r *Registry) Add(f *Function) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fns[f.Name()] = f
}

// Lookup finds a function by name, full ARN (arn:aws:lambda:…:function:NAME[:qualifier])
// or partial ARN (ACCOUNT:function:NAME).
func (r *Registry) Lookup(function string) (*Function, bool) {
	name := function
	if i := strings.Index(function, "function:"); i >= 0 {
		name = function[i+len("function:"):]
		if j := strings.IndexByte(name, ':'); j >= 0 {
			name = name[:j]
		}
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.fns[name]
	return f, ok
}

// Names lists the registered functions, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.fns))
	for n := range r.fns {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Invoke runs the named function on payload.
func (r *Registry) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	f, ok := r.Lookup(function)
	if !ok {
		e := &FunctionError{Type: "ResourceNotFoundException", Message: fmt.Sprintf("Function not found: %s", function)}
		e.Payload, _ = json.Marshal(e)
		return nil, e
	}
	return f.Invoke(ctx, payload)
}

// Close stops every function's environment.
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.fns {
		_ = f.Close()
	}
	return nil
}
