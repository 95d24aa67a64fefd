package runtimeapi_test

import (
	"context"
	"io"
	"testing"

	"github.com/keyward/keyward/localstack/runtimeapi"
)

// BenchmarkColdStart is process start → first poll of /next plus one event: what
// a new execution environment costs. Compare with BenchmarkWarmInvoke.
func BenchmarkColdStart(b *testing.B) {
	f, err := runtimeapi.New(runtimeapi.Config{Path: bootstrap, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	var init float64
	for b.Loop() {
		res, err := f.InvokeDetailed(ctx, []byte(`{"action":"echo"}`))
		if err != nil {
			b.Fatal(err)
		}
		init += float64(res.Init.Microseconds())
		b.StopTimer()
		f.Close() // the next iteration starts a new environment
		b.StartTimer()
	}
	b.ReportMetric(init/float64(b.N)/1000, "init-ms/op")
}

// BenchmarkWarmInvoke is one event through the Runtime API of a warm environment.
func BenchmarkWarmInvoke(b *testing.B) {
	f, err := runtimeapi.New(runtimeapi.Config{Path: bootstrap, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	if _, err := f.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := f.Invoke(ctx, []byte(`{"action":"echo"}`)); err != nil {
			b.Fatal(err)
		}
	}
}
