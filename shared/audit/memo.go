package audit

import "strings"

// memo caches derived strings (principal keys, network keys) by their source
// value so that a stream of records with few distinct callers does not allocate.
type memo [memoKinds]map[string]string

const (
	memoRole = iota
	memoAccount
	memoVPCE
	memoNetwork
	memoKinds
)

const memoLimit = 50_000

// get returns derive(v), computed once per distinct v. The lookup does not
// allocate; a miss stores a copy of v (which may alias a parse buffer).
func (m *memo) get(kind int, v string, derive func(string) string) string {
	if m[kind] == nil {
		m[kind] = map[string]string{}
	}
	if s, ok := m[kind][v]; ok {
		return s
	}
	s := derive(v)
	if len(m[kind]) >= memoLimit {
		clear(m[kind])
	}
	m[kind][strings.Clone(v)] = s
	return s
}
