package audit

import (
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
)

// ParserConfig configures a Parser.
type ParserConfig struct {
	// ContextKey keys the HMAC that replaces encryption-context values (from
	// config; never logged). Required in production; tests pass a fixed key.
	ContextKey []byte
	// Sources are the eventSources kept; others are counted as ignored (an
	// organisation trail's log files hold every service). Default: kms,
	// secretsmanager and ssm.
	Sources []string
}

// DefaultSources are the eventSources keyward audits.
var DefaultSources = []string{"kms.amazonaws.com", "secretsmanager.amazonaws.com", "ssm.amazonaws.com"}

// Parser decodes and normalises CloudTrail records. It is not safe for
// concurrent use; it reuses buffers and memoises derived keys across calls.
type Parser struct {
	key     []byte
	sources []string
	raw     rawRecord
	rec     Record
	resBuf  []string
	memo    memo
	mac     hash.Hash
	scratch []byte
}

// NewParser returns a Parser.
func NewParser(cfg ParserConfig) *Parser {
	src := cfg.Sources
	if len(src) == 0 {
		src = DefaultSources
	}
	return &Parser{key: slices.Clone(cfg.ContextKey), sources: slices.Clone(src)}
}

// ErrIgnored reports a record from an eventSource the parser does not keep.
var ErrIgnored = errors.New("audit: event source not audited")

// ErrMalformedInput reports input that is not valid JSON of the expected shape.
var ErrMalformedInput = errors.New("audit: malformed input")

func (p *Parser) keep(source string) bool {
	for _, s := range p.sources {
		if s == source {
			return true
		}
	}
	return false
}

// ParseRecord parses one CloudTrail record (the detail of an EventBridge event).
// The returned record's strings may alias data: do not modify data afterwards.
func (p *Parser) ParseRecord(data []byte) (Record, error) {
	s := scanner{b: data}
	if s.peek() != '{' {
		return Record{}, fmt.Errorf("%w: record is not a JSON object", ErrMalformedInput)
	}
	if err := decodeRecord(&s, &p.raw); err != nil {
		return Record{}, fmt.Errorf("%w: record: %v at offset %d", ErrMalformedInput, err, s.i)
	}
	if s.peek() != 0 {
		return Record{}, fmt.Errorf("%w: data after the record at offset %d", ErrMalformedInput, s.i)
	}
	if err := p.normalise(&p.raw, &p.rec); err != nil {
		return Record{}, err
	}
	if !p.keep(p.rec.Source) {
		return Record{}, fmt.Errorf("%w: %s", ErrIgnored, clip(p.rec.Source))
	}
	r := p.rec
	r.Resources = slices.Clone(r.Resources)
	return r, nil
}

// RecordError is one record of a log file that could not be used. It carries the
// record's position and event id, never its content.
type RecordError struct {
	Index   int
	EventID string
	Err     error
}

func (e RecordError) Error() string {
	return fmt.Sprintf("record %d (eventID %q): %v", e.Index, clip(e.EventID), e.Err)
}

func (e RecordError) Unwrap() error { return e.Err }

// LogFileStats summarises a parsed log file.
type LogFileStats struct {
	Records int           // records in the file
	Used    int           // records passed to fn
	Ignored int           // records from other event sources
	Bad     []RecordError // records that could not be normalised
}

// ParseLogFile parses a CloudTrail log file ({"Records":[...]}, already
// decompressed) and calls fn for each audited record, in file order. The *Record
// is only valid during the call (its Resources are reused); Batch.Add copies what
// it keeps. A malformed record is reported in the stats and skipped; its
// neighbours are still used. A syntax error ends the file: records before it have
// been passed to fn and the error is returned.
func (p *Parser) ParseLogFile(data []byte, fn func(*Record)) (LogFileStats, error) {
	var st LogFileStats
	s := scanner{b: data}
	if s.peek() != '{' {
		return st, fmt.Errorf("%w: log file is not a JSON object", ErrMalformedInput)
	}
	sawRecords := false
	err := s.object(func(key []byte) error {
		if string(key) != "Records" {
			return s.skip()
		}
		sawRecords = true
		if s.peek() != '[' {
			return errors.New("Records is not an array")
		}
		return s.array(func() error {
			idx := st.Records
			st.Records++
			if s.peek() != '{' {
				st.Bad = append(st.Bad, RecordError{Index: idx, Err: fmt.Errorf("%w: record is not an object", ErrMalformedRecord)})
				return s.skip()
			}
			if err := decodeRecord(&s, &p.raw); err != nil {
				return err
			}
			if !p.keep(p.raw.eventSource) && p.raw.eventSource != "" {
				st.Ignored++
				return nil
			}
			if err := p.normalise(&p.raw, &p.rec); err != nil {
				st.Bad = append(st.Bad, RecordError{Index: idx, EventID: strings.Clone(p.raw.eventID), Err: err})
				return nil
			}
			st.Used++
			fn(&p.rec)
			return nil
		})
	})
	if err == nil && s.peek() != 0 {
		err = errors.New("data after the log file object")
	}
	if err != nil {
		return st, fmt.Errorf("%w: log file: %v at offset %d", ErrMalformedInput, err, s.i)
	}
	if !sawRecords {
		return st, fmt.Errorf("%w: log file has no Records", ErrMalformedInput)
	}
	return st, nil
}
