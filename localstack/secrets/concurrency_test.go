package secrets

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentWrites: writers and readers at once keep exactly one AWSCURRENT
// and every read returns a value some writer wrote.
func TestConcurrentWrites(t *testing.T) {
	f := newFixture(t)
	f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "w0-0"})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if _, err := f.call(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": fmt.Sprintf("w%d-%d", w, i)}); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 25 {
				out, err := f.call(t, "GetSecretValue", map[string]any{"SecretId": "s"})
				if err != nil {
					t.Error(err)
					continue
				}
				var w, i int
				if n, _ := fmt.Sscanf(out["SecretString"].(string), "w%d-%d", &w, &i); n != 2 {
					t.Errorf("read %v", out["SecretString"])
				}
			}
		}()
	}
	wg.Wait()
	sec := f.svc.byName["s"]
	current, previous := 0, 0
	for _, v := range sec.Versions {
		for _, l := range v.Stages {
			switch l {
			case stageCurrent:
				current++
			case stagePrevious:
				previous++
			}
		}
	}
	if current != 1 || previous != 1 || len(sec.Versions) != maxVersions {
		t.Errorf("AWSCURRENT on %d, AWSPREVIOUS on %d versions, %d versions", current, previous, len(sec.Versions))
	}
}
