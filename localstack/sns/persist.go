package sns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// journal appends published messages to a JSONL file, one line per message.
type journal struct {
	path string
	f    *os.File
}

func (s *Service) messagesPath() string {
	return strings.TrimSuffix(s.opts.StatePath, ".json") + ".messages.jsonl"
}

// load reads the topics file and the message journal, then opens the journal.
func (s *Service) load() error {
	raw, err := os.ReadFile(s.opts.StatePath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		var topics []*topic
		if err := json.Unmarshal(raw, &topics); err != nil {
			return fmt.Errorf("decode %s: %w", s.opts.StatePath, err)
		}
		for _, t := range topics {
			s.topics[t.ARN] = t
		}
	}
	path := s.messagesPath()
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	lines := bytes.Split(data, []byte("\n"))
	if torn := lines[len(lines)-1]; len(torn) > 0 {
		// a crash mid-append left a partial last line: cut it so the next
		// message starts on a line of its own
		if err := os.Truncate(path, int64(len(data)-len(torn))); err != nil {
			return err
		}
	}
	for _, line := range lines[:len(lines)-1] {
		var m Message
		if json.Unmarshal(line, &m) == nil {
			s.messages = append(s.messages, m)
		}
	}
	if over := len(s.messages) - s.opts.MaxMessages; over > 0 {
		s.messages = s.messages[over:]
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.journal = &journal{path: path, f: f}
	return nil
}

func (j *journal) append(m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = j.f.Write(append(b, '\n')) // one write per line: O_APPEND keeps lines whole
	return err
}

func (j *journal) truncate() error {
	if j == nil {
		return nil
	}
	return j.f.Truncate(0)
}

func (j *journal) close() error { return j.f.Close() }

// saveTopics writes the topics file atomically. The caller holds s.mu.
func (s *Service) saveTopics() error {
	if s.opts.StatePath == "" {
		return nil
	}
	topics := make([]*topic, 0, len(s.topics))
	for _, a := range sortedARNs(s.topics) {
		topics = append(topics, s.topics[a])
	}
	b, err := json.Marshal(topics)
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.opts.StatePath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(s.opts.StatePath)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), s.opts.StatePath)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
