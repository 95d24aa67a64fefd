package s3

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentOverwrite: readers of a key that writers keep replacing always
// get one whole object whose ETag matches its bytes.
func TestConcurrentOverwrite(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			do(t, s, "PUT", "/b-1", nil)
			do(t, s, "PUT", "/b-1/k", []byte("start"))
			var wg sync.WaitGroup
			for w := range 3 {
				wg.Add(2)
				go func() {
					defer wg.Done()
					for i := range 30 {
						body := bytes.Repeat([]byte(fmt.Sprintf("w%d-%d;", w, i)), 1+i*50)
						if r := do(t, s, "PUT", "/b-1/k", body); r.Code != 200 {
							t.Errorf("put = %d", r.Code)
						}
					}
				}()
				go func() {
					defer wg.Done()
					for range 30 {
						r := do(t, s, "GET", "/b-1/k", nil)
						if r.Code != 200 {
							t.Errorf("get = %d %s", r.Code, r.Body)
							continue
						}
						if want := fmt.Sprintf(`"%x"`, md5.Sum(r.Body.Bytes())); r.Header().Get("ETag") != want {
							t.Errorf("ETag %s does not match the body (%s)", r.Header().Get("ETag"), want)
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}
