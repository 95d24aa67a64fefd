package trail

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// flaky fails the first failures deliveries, then records what it receives.
type flaky struct {
	mu       sync.Mutex
	failures int
	got      []string
}

func (f *flaky) Deliver(_ context.Context, b []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return errors.New("target down")
	}
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return err
	}
	f.got = append(f.got, ev.Detail.RequestID)
	return nil
}

func publishN(tap *Tap, n int) []string {
	var ids []string
	for i := range n {
		c := decryptCall(alice)
		c.RequestID = awsapi.NewUUID()
		c.Time = fixedTime.Add(time.Duration(i) * time.Second)
		ids = append(ids, c.RequestID)
		tap.APICall(c, awsapi.TrailDetails{}, nil)
	}
	return ids
}

func TestTapDeliversInOrderDespiteFailures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	target := &flaky{failures: 3}
	tap, err := New(Options{File: path, Targets: []Target{target}, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want := publishN(tap, 50)
	if err := tap.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	target.mu.Lock()
	got := target.got
	target.mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("delivered %d of %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d out of order", i)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() {
		var ev Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Detail.RequestID != want[i] {
			t.Fatalf("line %d: %v %s", i, err, sc.Text())
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("file has %d lines, want %d", i, len(want))
	}
	if n := len(tap.Events()); n != len(want) {
		t.Fatalf("Events() = %d, want %d", n, len(want))
	}
}

func TestTapDropsWhenQueueFullAndReportsUndelivered(t *testing.T) {
	block := make(chan struct{})
	target := TargetFunc(func(ctx context.Context, _ []byte) error {
		select {
		case <-block:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	tap, err := New(Options{Targets: []Target{target}, QueueSize: 5, DrainTime: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	publishN(tap, 20)
	if d := tap.Dropped(); len(d) != 1 || d[0] < 14 {
		t.Fatalf("Dropped = %v, want at least 14 (queue of 5, one in flight)", d)
	}
	if err := tap.Close(); err == nil {
		t.Fatal("Close reported no undelivered events although the target never accepted one")
	}
	close(block)
}

func TestRecentEventsRingKeepsNewest(t *testing.T) {
	tap, _ := New(Options{Recent: 3})
	ids := publishN(tap, 5)
	evs := tap.Events()
	if len(evs) != 3 {
		t.Fatalf("kept %d", len(evs))
	}
	for i, b := range evs {
		var ev Event
		_ = json.Unmarshal(b, &ev)
		if ev.Detail.RequestID != ids[2+i] {
			t.Fatalf("event %d is not the %dth newest", i, 2+i)
		}
	}
	_ = tap.Close()
}

func TestRecentEventsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	tap, _ := New(Options{File: path})
	ids := publishN(tap, 4)
	_ = tap.Close()
	tap, err := New(Options{File: path, Recent: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	evs := tap.Events()
	if len(evs) != 3 {
		t.Fatalf("reloaded %d events, want the last 3", len(evs))
	}
	var last Event
	_ = json.Unmarshal(evs[2], &last)
	if last.Detail.RequestID != ids[3] {
		t.Fatal("reloaded events are not the newest")
	}
	publishN(tap, 1)
	if len(tap.Events()) != 3 {
		t.Fatalf("ring over capacity: %d", len(tap.Events()))
	}
}
