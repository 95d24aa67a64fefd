package keyops

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Concurrent callers of the net/http adapter (make local) share the caches, the
// use throttle and the data-key cache safely; run with -race. (Lambda's own
// lambda.NewHandler reuses one buffer and serves one invocation at a time.)
func TestConcurrentEncryptDecrypt(t *testing.T) {
	ls := newLocalStack(t)
	ls.harness(t).createKey("app-conc")
	srv := httptest.NewServer(HTTPHandler{API: ls.h, DefaultPrincipal: appARN})
	defer srv.Close()
	post := func(path, body string) (int, map[string]any) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				st, enc := post("/v1/encrypt", js(map[string]any{"key": "app-conc", "plaintext": b64("p")}))
				if st != 200 {
					errs <- js(enc)
					return
				}
				st, dec := post("/v1/decrypt", js(map[string]any{"ciphertext": enc["ciphertext"]}))
				if st != 200 || dec["plaintext"] != b64("p") {
					errs <- js(dec)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := ls.kms.generate.Load(); n != 1 {
		t.Errorf("%d GenerateDataKey calls for 160 concurrent encrypts under one key, want 1", n)
	}
}
