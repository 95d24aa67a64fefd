package envelope

import (
	"fmt"
	"io"
)

// source hands out the next n bytes of a message. The returned slice is only valid until the next
// call. A short message is reported as ErrMalformed.
type source interface {
	next(n int) ([]byte, error)
}

// byteSource reads a message held in memory without copying it.
type byteSource struct {
	b   []byte
	off int
}

func (s *byteSource) next(n int) ([]byte, error) {
	if n < 0 || len(s.b)-s.off < n {
		return nil, fmt.Errorf("%w: message truncated", ErrMalformed)
	}
	p := s.b[s.off : s.off+n : s.off+n]
	s.off += n
	return p, nil
}

// readerSource reads a message from an io.Reader into one reused buffer.
type readerSource struct {
	r   io.Reader
	buf []byte
}

func (s *readerSource) next(n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: negative length", ErrMalformed)
	}
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	p := s.buf[:n]
	if _, err := io.ReadFull(s.r, p); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: message truncated", ErrMalformed)
		}
		return nil, fmt.Errorf("envelope: read message: %w", err)
	}
	return p, nil
}
