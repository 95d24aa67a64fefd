package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// state is what a snapshot holds: every secret with its encrypted versions.
// Values stay KMS ciphertext; the endpoint's KMS state holds the keys.
type state struct {
	Secrets []*secret `json:"secrets"`
}

// Snapshot returns the whole state as JSON.
func (s *Service) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotLocked()
}

func (s *Service) snapshotLocked() ([]byte, error) {
	st := state{Secrets: make([]*secret, 0, len(s.secrets))}
	for _, sec := range s.secrets {
		st.Secrets = append(st.Secrets, sec)
	}
	return json.Marshal(st)
}

// Restore replaces the whole state with a snapshot; on error nothing changes.
func (s *Service) Restore(b []byte) error {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("secrets: restore: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load(st)
	return nil
}

func (s *Service) load(st state) {
	s.secrets, s.byName, s.deleting = map[string]*secret{}, map[string]*secret{}, map[string]*secret{}
	for _, sec := range st.Secrets {
		if sec == nil || sec.ARN == "" {
			continue
		}
		if sec.Versions == nil {
			sec.Versions = map[string]*version{}
		}
		s.add(sec)
	}
}

// save writes the state file when the service has one. The caller holds s.mu.
func (s *Service) save() error {
	if s.opts.StatePath == "" {
		return nil
	}
	b, err := s.snapshotLocked()
	if err != nil {
		return err
	}
	return writeAtomic(s.opts.StatePath, b)
}

// Close saves the state (last-accessed dates change without a write call).
func (s *Service) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.save()
}

// loadFile reads the state file; a missing file is an empty state.
func loadFile(path string) (state, error) {
	var st state
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("decode %s: %w", path, err)
	}
	return st, nil
}
