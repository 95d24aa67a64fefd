package conformance

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// TestLoadMixedKMSAndSecrets drives GenerateDataKey, Decrypt and GetSecretValue
// at a fixed rate from concurrent clients and requires zero errors. Opt-in
// (KEYWARD_LOAD=1) and bounded: loopback only, KEYWARD_LOAD_SECONDS (default 10,
// at most 30), KEYWARD_LOAD_RATE requests/s (default 1000).
//
//	KEYWARD_LOAD=1 go test ./localstack/conformance -run Load -v
func TestLoadMixedKMSAndSecrets(t *testing.T) {
	if os.Getenv("KEYWARD_LOAD") != "1" {
		t.Skip("load test: set KEYWARD_LOAD=1")
	}
	seconds := envInt("KEYWARD_LOAD_SECONDS", 10, 1, 30)
	rate := envInt("KEYWARD_LOAD_RATE", 1000, 1, 20000)
	const workers = 128

	cfg := clientConfig("")
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost = workers*2, workers*2
	})
	kc, sc := kms.NewFromConfig(cfg), secretsmanager.NewFromConfig(cfg)
	ctx := context.Background()
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("load")})
	if err != nil {
		t.Fatal(err)
	}
	secretName := "conformance/load-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := sc.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(secretName), SecretString: aws.String(`{"password":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	dk, err := kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyMetadata.KeyId, KeySpec: types.DataKeySpecAes256})
	if err != nil {
		t.Fatal(err)
	}

	ops := []func(context.Context) error{
		func(ctx context.Context) error {
			_, err := kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyMetadata.KeyId, KeySpec: types.DataKeySpecAes256})
			return err
		},
		func(ctx context.Context) error {
			_, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
			return err
		},
		func(ctx context.Context) error {
			_, err := sc.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretName)})
			return err
		},
	}

	jobs := make(chan int, rate)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errCount  atomic.Int64
		firstErr  atomic.Value
		wg        sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := range jobs {
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				t0 := time.Now()
				err := ops[i%len(ops)](cctx)
				cancel()
				mine = append(mine, time.Since(t0))
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	// Open loop: requests are due at a fixed rate whatever the latency, so a slow
	// endpoint shows as a lower achieved rate, not a hidden queue.
	cpu0 := processCPU()
	start := time.Now()
	end := start.Add(time.Duration(seconds) * time.Second)
	sent, late := 0, 0
	for now := time.Now(); now.Before(end); now = time.Now() {
		due := int(now.Sub(start).Seconds() * float64(rate))
		for ; sent < due; sent++ {
			select {
			case jobs <- sent:
			default:
				late++ // every worker busy and the backlog full: count it, do not block
			}
		}
		time.Sleep(time.Millisecond)
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0

	slices.Sort(latencies)
	n := len(latencies)
	if n == 0 {
		t.Fatal("no requests completed")
	}
	p := func(q float64) time.Duration { return latencies[min(n-1, int(q*float64(n)))] }
	achieved := float64(n) / elapsed.Seconds()
	t.Logf("load: %d requests in %s = %.0f req/s (target %d/s, %d workers), p50 %s, p99 %s, max %s, errors %d, not sent (backlog full) %d",
		n, elapsed.Round(time.Millisecond), achieved, rate, workers, p(0.50), p(0.99), latencies[n-1], errCount.Load(), late)
	// CPU per request (clients and endpoint together, one process) tells a
	// starved machine from a slow endpoint.
	t.Logf("load: process CPU %s = %s per request, %.2f cores busy on average",
		cpu.Round(time.Millisecond), (cpu / time.Duration(n)).Round(time.Microsecond), cpu.Seconds()/elapsed.Seconds())
	if errCount.Load() > 0 {
		t.Fatalf("%d errors; first: %v", errCount.Load(), firstErr.Load())
	}
	if late > 0 {
		t.Errorf("%d requests could not be sent on time: the endpoint did not keep up with %d/s", late, rate)
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def, lo, hi int) int {
	v, err := strconv.Atoi(os.Getenv(name))
	if err != nil {
		return def
	}
	return max(lo, min(hi, v))
}
