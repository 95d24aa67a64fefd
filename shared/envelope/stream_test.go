package envelope_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/keyward/keyward/shared/envelope"
)

func TestStreamRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, id := range envelope.Suites() {
		for _, size := range []int{0, 1, 256, 257, 3000} {
			for _, chunk := range []int{1, 100, 256, 10000} {
				c := mustClient(t, envelope.Config{Keyring: mustAESKeyring(t, 256), Suite: id, FrameLength: 256, CommitmentPolicy: policyFor(id)})
				pt := pattern(size)
				var msg bytes.Buffer
				w, err := c.NewEncryptWriter(ctx, &msg, map[string]string{"k": "v"}, -1)
				if err != nil {
					t.Fatal(err)
				}
				for p := pt; len(p) > 0; {
					n := min(chunk, len(p))
					if _, err := w.Write(p[:n]); err != nil {
						t.Fatal(err)
					}
					p = p[n:]
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				// The streamed message is a normal message, and the reader reads normal messages.
				got, _, err := c.Decrypt(ctx, msg.Bytes(), nil)
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("%s size %d chunk %d: Decrypt: %v", id, size, chunk, err)
				}
				r, err := c.NewDecryptReader(ctx, iotest.HalfReader(bytes.NewReader(msg.Bytes())), map[string]string{"k": "v"})
				if err != nil {
					t.Fatal(err)
				}
				got, err = io.ReadAll(r)
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("%s size %d chunk %d: DecryptReader: %v", id, size, chunk, err)
				}
			}
		}
	}
}

func TestStreamSignedReleasesNothingBeforeSignature(t *testing.T) {
	ctx := context.Background()
	c := mustClient(t, envelope.Config{Keyring: mustAESKeyring(t, 256), Suite: envelope.AES256GCMHKDFSHA512CommitECDSAP384, FrameLength: 64})
	msg, err := c.Encrypt(ctx, pattern(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	msg[len(msg)-1] ^= 1 // break the signature only
	r, err := c.NewDecryptReader(ctx, bytes.NewReader(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if !errors.Is(err, envelope.ErrAuthentication) || len(got) != 0 {
		t.Fatalf("read %d bytes, err %v; want 0 bytes and ErrAuthentication", len(got), err)
	}
}

func TestStreamLimits(t *testing.T) {
	ctx := context.Background()
	kr := mustAESKeyring(t, 256)
	c := mustClient(t, envelope.Config{Keyring: kr, Suite: envelope.AES256GCMHKDFSHA512CommitECDSAP384, FrameLength: 64})
	msg, err := c.Encrypt(ctx, pattern(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	small := mustClient(t, envelope.Config{Keyring: kr, FrameLength: 64, Limits: envelope.Limits{MaxBufferedPlaintext: 500}})
	r, err := small.NewDecryptReader(ctx, bytes.NewReader(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, envelope.ErrLimit) {
		t.Fatalf("signed message above MaxBufferedPlaintext: %v, want ErrLimit", err)
	}
}

func TestStreamTruncated(t *testing.T) {
	ctx := context.Background()
	c := mustClient(t, envelope.Config{Keyring: mustAESKeyring(t, 256), FrameLength: 64})
	msg, err := c.Encrypt(ctx, pattern(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{len(msg) - 1, len(msg) - 100, len(msg) - 500} {
		r, err := c.NewDecryptReader(ctx, bytes.NewReader(msg[:cut]), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r); err == nil {
			t.Fatalf("message cut at %d read without error", cut)
		}
	}
}

func TestEncryptWriterDeclaredSize(t *testing.T) {
	c := mustClient(t, envelope.Config{Keyring: mustAESKeyring(t, 256)})
	w, err := c.NewEncryptWriter(context.Background(), io.Discard, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("short"))
	if err := w.Close(); err == nil {
		t.Fatal("Close accepted fewer bytes than declared")
	}
}

// TestStreamConstantMemory streams 32 MiB through NewEncryptWriter → io.Pipe → NewDecryptReader
// and requires the whole round trip to allocate far less than the message: memory is O(frame).
func TestStreamConstantMemory(t *testing.T) {
	ctx := context.Background()
	c := mustClient(t, envelope.Config{Keyring: mustAESKeyring(t, 256)})
	const size = 32 << 20
	chunk := pattern(64 << 10)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pr, pw := io.Pipe()
	go func() {
		w, err := c.NewEncryptWriter(ctx, pw, map[string]string{"k": "v"}, size)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		for written := 0; written < size; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(w.Close())
	}()
	r, err := c.NewDecryptReader(ctx, pr, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyBuffer(io.Discard, r, make([]byte, 32<<10))
	if err != nil || n != size {
		t.Fatalf("streamed %d bytes, %v", n, err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > 2<<20 {
		t.Fatalf("streaming %d MiB allocated %d bytes, want O(frame)", size>>20, alloc)
	}
	t.Logf("streaming %d MiB allocated %d KiB in total", size>>20, alloc>>10)
}
