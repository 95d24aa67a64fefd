package s3

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// object is one stored object's metadata; Data holds the bytes in memory mode.
type object struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"` // quoted hex MD5
	LastModified time.Time         `json:"lastModified"`
	Headers      map[string]string `json:"headers,omitempty"`   // Content-Type and other stored entity headers
	Metadata     map[string]string `json:"metadata,omitempty"`  // x-amz-meta-*
	Checksums    map[string]string `json:"checksums,omitempty"` // x-amz-checksum-<algo>
	Data         []byte            `json:"-"`
}

type bucket struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Region  string    `json:"region"`
	objects map[string]*object
}

// disk keeps each bucket in <dir>/<bucket>/ with bucket.json and one file per
// object, objects/<sha256(key)>.obj: a JSON header line, then the bytes. Every
// write goes to a temp file that is renamed into place, so a reader or a crash
// sees the old object or the new one, never a mix.
type disk struct{ dir string }

func (d disk) bucketDir(name string) string { return filepath.Join(d.dir, name) }

func (d disk) objectPath(b, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(d.dir, b, "objects", hex.EncodeToString(sum[:])+".obj")
}

func (d disk) createBucket(b *bucket) error {
	if err := os.MkdirAll(filepath.Join(d.bucketDir(b.Name), "objects"), 0o700); err != nil {
		return err
	}
	meta, _ := json.Marshal(b)
	return writeAtomic(filepath.Join(d.bucketDir(b.Name), "bucket.json"), meta)
}

func (d disk) deleteBucket(name string) error { return os.RemoveAll(d.bucketDir(name)) }

func (d disk) put(b string, o *object, data []byte) error {
	head, err := json.Marshal(o)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, len(head)+1+len(data))
	buf = append(append(append(buf, head...), '\n'), data...)
	return writeAtomic(d.objectPath(b, o.Key), buf)
}

func (d disk) remove(b, key string) error {
	err := os.Remove(d.objectPath(b, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// open returns the object as stored in its file (header and a reader of the
// bytes), independent of the in-memory index, so a concurrent overwrite cannot
// pair one object's header with another's bytes.
func (d disk) open(b, key string) (*object, *os.File, io.ReadSeeker, error) {
	f, err := os.Open(d.objectPath(b, key))
	if err != nil {
		return nil, nil, nil, err
	}
	o, off, err := readHeader(f)
	if err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	return o, f, io.NewSectionReader(f, off, o.Size), nil
}

func readHeader(f *os.File) (*object, int64, error) {
	br := bufio.NewReaderSize(f, 4096)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, 0, fmt.Errorf("s3: object header in %s: %w", f.Name(), err)
	}
	var o object
	if err := json.Unmarshal(bytes.TrimSuffix(line, []byte("\n")), &o); err != nil {
		return nil, 0, fmt.Errorf("s3: object header in %s: %w", f.Name(), err)
	}
	return &o, int64(len(line)), nil
}

// load reads every bucket and object header under the data directory.
func (d disk) load() (map[string]*bucket, error) {
	out := map[string]*bucket{}
	entries, err := os.ReadDir(d.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(d.dir, e.Name(), "bucket.json"))
		if err != nil {
			continue // not a bucket folder
		}
		var b bucket
		if err := json.Unmarshal(raw, &b); err != nil || b.Name != e.Name() {
			return nil, fmt.Errorf("s3: bad bucket.json in %s", e.Name())
		}
		b.objects = map[string]*object{}
		files, _ := filepath.Glob(filepath.Join(d.dir, e.Name(), "objects", "*.obj"))
		for _, p := range files {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			o, _, err := readHeader(f)
			f.Close()
			if err != nil {
				return nil, err
			}
			b.objects[o.Key] = o
		}
		out[b.Name] = &b
	}
	return out, nil
}

// writeAtomic replaces path with data (temp file in the same folder, fsync, rename).
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+strings.TrimSuffix(filepath.Base(path), ".obj")+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
