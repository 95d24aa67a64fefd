package envelope

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
)

// EncryptWriter encrypts what is written to it into a message on an underlying writer. It holds at
// most one frame of plaintext; Close writes the final frame (and, for signed suites, the signature).
type EncryptWriter struct {
	w       io.Writer
	mw      *messageWriter
	pending []byte // plaintext of the frame not yet sealed (at most one frame)
	out     []byte // scratch for one sealed frame
	seq     uint32
	digest  hash.Hash
	size    int64
	written int64
	err     error
}

// NewEncryptWriter writes the header of a new message to w and returns a writer for its plaintext.
// size is the plaintext length if known, or -1; a caching materials manager only reuses data keys
// for messages of known size. Close must be called to complete the message; it does not close w.
func (c *Client) NewEncryptWriter(ctx context.Context, w io.Writer, ec map[string]string, size int64) (*EncryptWriter, error) {
	if c.nonFramed {
		return nil, errors.New("envelope: streaming encrypts framed messages only")
	}
	mw, err := c.beginMessage(ctx, ec, size)
	if err != nil {
		return nil, err
	}
	e := &EncryptWriter{w: w, mw: mw, seq: 1, digest: mw.newSigHash(), size: size,
		pending: make([]byte, 0, mw.frame), out: make([]byte, 0, frameSize(mw.frame, true))}
	if err := e.emit(mw.appendHeader(make([]byte, 0, mw.h.bodyLen()+mw.h.authLen()))); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *EncryptWriter) emit(b []byte) error {
	if e.digest != nil {
		e.digest.Write(b)
	}
	if _, err := e.w.Write(b); err != nil {
		e.err = fmt.Errorf("envelope: write message: %w", err)
		return e.err
	}
	return nil
}

func (e *EncryptWriter) sealRegular(pt []byte) error {
	if e.seq == finalFrameMark-1 {
		e.err = fmt.Errorf("%w: plaintext needs more than 2^32-1 frames", ErrLimit)
		return e.err
	}
	e.out = e.mw.fc.appendFrame(e.out[:0], e.seq, pt, false)
	e.seq++
	return e.emit(e.out)
}

// Write encrypts p. A frame is sealed as soon as a full frame and at least one more byte are known,
// since the last frame of a message must be marked final.
func (e *EncryptWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n := len(p)
	frame := e.mw.frame
	for len(p) > 0 {
		if len(e.pending) == frame {
			if err := e.sealRegular(e.pending); err != nil {
				return n - len(p), err
			}
			e.pending = e.pending[:0]
		}
		if len(e.pending) == 0 {
			for len(p) > frame { // seal straight from p, without copying
				if err := e.sealRegular(p[:frame]); err != nil {
					return n - len(p), err
				}
				p = p[frame:]
			}
		}
		k := copy(e.pending[len(e.pending):frame], p)
		e.pending = e.pending[:len(e.pending)+k]
		p = p[k:]
	}
	e.written += int64(n)
	return n, nil
}

// Close seals the final frame and writes the footer. It does not close the underlying writer.
func (e *EncryptWriter) Close() error {
	if e.err != nil {
		return e.err
	}
	e.err = errors.New("envelope: write to a closed EncryptWriter")
	if e.size >= 0 && e.written != e.size {
		return fmt.Errorf("envelope: wrote %d bytes of plaintext, declared %d", e.written, e.size)
	}
	e.out = e.mw.fc.appendFrame(e.out[:0], e.seq, e.pending, true)
	if err := e.emit(e.out); err != nil {
		return err
	}
	if e.digest == nil {
		return nil
	}
	footer, err := e.mw.appendFooter(nil, e.digest)
	if err != nil {
		return err
	}
	if _, err := e.w.Write(footer); err != nil {
		return fmt.Errorf("envelope: write message: %w", err)
	}
	return nil
}

// DecryptReader decrypts a message read from an underlying reader.
//
// For unsigned suites it releases each frame's plaintext as soon as that frame's tag verifies, and
// holds one frame at a time: memory is constant in the message size. A message cut short is
// reported by an error after the frames read so far (the final frame is missing).
//
// For signed suites no plaintext is released before the footer signature verifies, so the reader
// holds the whole plaintext, up to Limits.MaxBufferedPlaintext (and fails beyond it). Non-framed
// content is likewise held whole, under the same limit.
type DecryptReader struct {
	src  *readerSource
	r    *messageReader
	buf  []byte
	pos  int
	max  int64
	err  error
	done bool
}

// NewDecryptReader reads and authenticates the header of the message on r (see Client.Decrypt for
// required) and returns a reader for its plaintext.
func (c *Client) NewDecryptReader(ctx context.Context, r io.Reader, required map[string]string) (*DecryptReader, error) {
	src := &readerSource{r: r}
	mr, err := c.beginDecrypt(ctx, src, required)
	if err != nil {
		return nil, err
	}
	return &DecryptReader{src: src, r: mr, max: c.limits.MaxBufferedPlaintext}, nil
}

// EncryptionContext returns the message's authenticated encryption context.
func (d *DecryptReader) EncryptionContext() map[string]string { return d.r.h.context }

// Suite returns the message's algorithm suite.
func (d *DecryptReader) Suite() SuiteID { return d.r.s.id }

// Read reads decrypted plaintext. After the last byte it returns io.EOF only if the whole message
// authenticated; any failure is returned instead, and sticks.
func (d *DecryptReader) Read(p []byte) (int, error) {
	for d.pos == len(d.buf) {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.fill()
	}
	n := copy(p, d.buf[d.pos:])
	d.pos += n
	return n, nil
}

// fill decrypts the next frame, or for signed suites the whole rest of the message.
func (d *DecryptReader) fill() {
	d.buf, d.pos = d.buf[:0], 0
	var err error
	if d.r.verifier == nil {
		if d.buf, err = d.r.readFrame(d.src, d.buf, d.max); err != nil {
			d.buf, d.err = d.buf[:0], err
			return
		}
		d.done = d.r.final
		return
	}
	for !d.r.final {
		if d.buf, err = d.r.readFrame(d.src, d.buf, d.max-int64(len(d.buf))); err != nil {
			d.buf, d.err = d.buf[:0], err
			return
		}
		if int64(len(d.buf)) > d.max {
			d.buf, d.err = d.buf[:0], fmt.Errorf("%w: signed message with more than %d bytes of plaintext", ErrLimit, d.max)
			return
		}
	}
	if err := d.r.readFooter(d.src); err != nil {
		clear(d.buf)
		d.buf, d.err = d.buf[:0], err
		return
	}
	d.done = true
}
