package main

import (
	"fmt"
	"testing"

	"golang.org/x/sync/errgroup"
)

// keyN is the ARN of the i-th synthetic key.
func keyN(i int) string {
	return fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/%08d-0000-4000-8000-000000000000", i)
}

// seedKeys gives n keys activity in win: one caller, a few Decrypts each.
func seedKeys(e *env, n int) {
	e.t.Helper()
	e.ingest(many(n, func(i int) fixture {
		return load(e.t, "eventbridge-kms-decrypt").at(min_(i%5), fmt.Sprintf("k%d", i)).on(keyN(i))
	})...)
}

// The DynamoDB requests of one evaluation grow with the keys that had activity
// in the window, not with what the table holds (idle keys cost nothing): the
// usage of every key comes from the per-minute window index (minutes × shards
// Queries), first-seen and rollup requests are batched (100 keys per read, 25
// per write), and a key's first window adds one INSUFFICIENT_DATA write
// (baseline warm-up).
func TestRequestsBoundedByActiveKeys(t *testing.T) {
	e := newEnv(t, nil)
	// 300 keys active a day earlier: in the table, idle in the windows below.
	e.ingest(many(300, func(i int) fixture {
		return load(e.t, "eventbridge-kms-decrypt").at(t0.AddDate(0, 0, -1), fmt.Sprintf("idle%d", i)).on(keyN(10_000 + i))
	})...)
	count := func(step, n int) int64 {
		w := next(win, step)
		e.ingest(many(n, func(i int) fixture {
			return load(e.t, "eventbridge-kms-decrypt").at(w.Start, fmt.Sprintf("c%d-%d", step, i)).on(keyN(i))
		})...)
		e.db.reset()
		e.evaluate(w, w.End)
		return e.db.total()
	}
	new10 := count(0, 10)
	new100 := count(1, 100) // 90 keys seen for the first time
	known10 := count(2, 10) // keys seen before
	known100 := count(3, 100)
	t.Logf("requests: new keys 10 → %d, 100 → %d; known keys 10 → %d, 100 → %d", new10, new100, known10, known100)
	if per := float64(new100-new10) / 90; per > 2.1 {
		t.Errorf("%.2f requests per extra new active key, want ≤ 2.1", per)
	}
	if per := float64(known100-known10) / 90; per > 0.2 {
		t.Errorf("%.2f requests per extra known active key, want ≤ 0.2 (batched reads only)", per)
	}
	if fixed := known10 - 10; fixed > 40 {
		t.Errorf("fixed cost %d requests, want ≤ 40", fixed)
	}
}

// BenchmarkEvaluate measures one evaluation of a fresh window with 100 and
// 1,000 active keys on DynamoDB Local (the keys' data for each window is
// ingested with the timer stopped): activity index, usage Queries, events by
// name, first-seen and rollup reads, rollup writes, alarm state. requests/op is
// counted by a wrapping client; BenchmarkPeerUsageQueries is the floor.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			e := newEnv(b, nil)
			seedKeys(e, n)
			e.evaluate(win, win.End) // first sight of every key: warm-up state stored
			var requests int64
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				w := next(win, i)
				e.ingest(many(n, func(k int) fixture {
					return load(e.t, "eventbridge-kms-decrypt").at(w.Start, fmt.Sprintf("b%d-%d", i, k)).on(keyN(k))
				})...)
				e.db.reset()
				b.StartTimer()
				e.evaluate(w, w.End)
				requests += e.db.total()
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
		})
	}
}

// BenchmarkPeerUsageQueries is the floor BenchmarkEvaluate is compared with:
// one usage Query per active key (the per-resource read the evaluator used before
// the window index), at the evaluator's concurrency.
func BenchmarkPeerUsageQueries(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			e := newEnv(b, nil)
			seedKeys(e, n)
			b.ResetTimer()
			for b.Loop() {
				var g errgroup.Group
				g.SetLimit(e.ev.Concurrency)
				for i := range n {
					g.Go(func() error {
						_, err := e.store.Usage(b.Context(), keyN(i), win.Start, win.End)
						return err
					})
				}
				if err := g.Wait(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
