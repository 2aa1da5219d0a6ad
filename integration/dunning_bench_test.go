package integration

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recoup/worker"
)

const benchNoopQueue = "bench-noop"

// benchNoopWorkflow does nothing: the server's cost of one workflow.
func benchNoopWorkflow(workflow.Context) error { return nil }

// BenchmarkDunningThroughput measures, on one embedded Temporal server in one
// run, how fast Recoup's dunning takes RECOUP_BENCH_ACCOUNTS accounts (default
// 10,000; each with one invoice due 7 days ago, imported with the importer)
// from Touch (signal-with-start of each account's Dunning workflow) to their
// first reminder recorded in the message log (email to a capture SMTP
// server), and compares it with the same server's rate for a no-op workflow
// started the same way (signal-with-start, same concurrency, a worker with
// default options on its own task queue), run first. It prints both rates,
// their ratio (goal ≥ 0.5) and the peak resident memory (VmHWM) of the test
// process, which holds the worker but also the embedded Temporal server, the
// SMTP capture and the benchmark itself.
//
//	go test ./integration/ -run '^$' -bench DunningThroughput -benchtime 1x
//	RECOUP_BENCH_ACCOUNTS=2000 go test ./integration/ -run '^$' -bench DunningThroughput -benchtime 1x
func BenchmarkDunningThroughput(b *testing.B) {
	n := 10_000
	if v := os.Getenv("RECOUP_BENCH_ACCOUNTS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err)
		require.Positive(b, n)
	}
	ctx := context.Background()
	setup := time.Now()
	r := newDunningRig(b, n, 32)
	fmt.Printf("\nsetup (server, database, import of %d accounts): %v\n", n, time.Since(setup).Round(time.Millisecond))

	nw := sdkworker.New(r.tc, benchNoopQueue, sdkworker.Options{})
	nw.RegisterWorkflow(benchNoopWorkflow)
	require.NoError(b, nw.Start())
	defer nw.Stop()
	w, err := worker.New(ctx, r.deps)
	require.NoError(b, err)
	require.NoError(b, w.Start())
	defer w.Stop()

	for b.Loop() {
		benchResetPeakRSS()
		noopRate := benchNoop(b, ctx, r.tc, n)

		start := time.Now()
		r.touchAll(b, ctx)
		touched := time.Since(start)
		deadline := time.Now().Add(max(10*time.Minute, time.Duration(n)*50*time.Millisecond))
		for {
			done, _, err := r.finished(ctx)
			require.NoError(b, err)
			if done >= n {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d first actions recorded after %v", done, n, time.Since(start))
			}
			time.Sleep(50 * time.Millisecond)
		}
		took := time.Since(start)
		rate := float64(n) / took.Seconds()
		peak := benchPeakRSS()

		var logged, sent int
		require.NoError(b, r.st.Pool.QueryRow(ctx,
			`SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM message_log`).Scan(&logged, &sent))
		require.Equal(b, n, logged, "one first action per account")
		require.Equal(b, n, sent)
		mailCtx, cancel := context.WithTimeout(ctx, time.Minute)
		_, err := r.mailbox.WaitFor(mailCtx, n)
		cancel()
		require.NoError(b, err)

		b.ReportMetric(rate, "dunning-accounts/s")
		b.ReportMetric(noopRate, "noop-workflows/s")
		b.ReportMetric(rate/noopRate, "ratio")
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		fmt.Printf("dunning: %d accounts from Touch to first reminder recorded in %v (Touch itself %v): %.0f accounts/s\n",
			n, took.Round(time.Millisecond), touched.Round(time.Millisecond), rate)
		fmt.Printf("no-op workflow, same server, started the same way: %.0f workflows/s\n", noopRate)
		fmt.Printf("ratio dunning/no-op: %.2f (goal >= 0.7)\n", rate/noopRate)
		fmt.Printf("peak RSS (VmHWM) of the whole test process during both runs (worker + embedded Temporal server + SMTP capture + benchmark): %.0f MB\n",
			float64(peak)/(1<<20))
	}
}

// benchNoop signal-with-starts n no-op workflows the way Touch starts
// Dunning workflows (16 calls in flight) and waits until all completed; it
// returns workflows per second.
func benchNoop(b *testing.B, ctx context.Context, c client.Client, n int) float64 {
	b.Helper()
	start := time.Now()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "bench-noop/" + strconv.Itoa(i)
	}
	eachID(b, ids, func(id string) error {
		_, err := c.SignalWithStartWorkflow(ctx, id, "poke", nil,
			client.StartWorkflowOptions{ID: id, TaskQueue: benchNoopQueue}, benchNoopWorkflow)
		return err
	})
	eachID(b, ids, func(id string) error { return c.GetWorkflow(ctx, id, "").Get(ctx, nil) })
	took := time.Since(start)
	fmt.Printf("no-op: %d workflows signal-with-started and completed in %v\n", n, took.Round(time.Millisecond))
	return float64(n) / took.Seconds()
}

// eachID calls f for every id, 16 calls in flight, and fails b with the ids
// whose call failed.
func eachID(b *testing.B, ids []string, f func(id string) error) {
	b.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	sem := make(chan struct{}, 16)
	for _, id := range ids {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(id); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", id, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Empty(b, errs)
}

// benchResetPeakRSS resets the process's VmHWM (Linux; no-op elsewhere).
func benchResetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// benchPeakRSS is the process's VmHWM in bytes, 0 if unknown.
func benchPeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
