package integration

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"recoup/benchenv"
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
// default options on its own task queue).
//
// The machine is shared and noisy, so the two sides alternate for
// RECOUP_BENCH_ROUNDS rounds (default 3: no-op, dunning, no-op, dunning, …),
// each round on fresh workflows and freshly imported accounts (not timed),
// and the medians are quoted. It prints every round, the medians, the ratio
// of the medians (goal ≥ 0.7), the median of the rounds' ratios, and the peak
// resident memory (VmHWM) of the test process, which holds the worker but
// also the embedded Temporal server, the SMTP capture and the benchmark itself.
//
//	go test ./integration/ -run '^$' -bench DunningThroughput -benchtime 1x
//	RECOUP_BENCH_ACCOUNTS=2000 go test ./integration/ -run '^$' -bench DunningThroughput -benchtime 1x
func BenchmarkDunningThroughput(b *testing.B) {
	n := benchenv.Int(b, "RECOUP_BENCH_ACCOUNTS", 10_000)
	rounds := benchenv.Int(b, "RECOUP_BENCH_ROUNDS", 3)
	ctx := context.Background()
	setup := time.Now()
	r := newDunningRig(b, 0, 32)
	fmt.Printf("\nsetup (server, database): %v\n", time.Since(setup).Round(time.Millisecond))

	r.startWorkers(b, ctx, benchNoopQueue, benchNoopWorkflow)

	benchResetPeakRSS()
	var noops, rates, ratios []float64
	for b.Loop() {
		for range rounds {
			round := len(rates) + 1
			noop := benchNoop(b, ctx, r.tc, fmt.Sprintf("bench-noop/%d/", round), n, 16, signalWithStartNoop)
			rate := benchDunningRound(b, ctx, r, n)
			noops, rates, ratios = append(noops, noop), append(rates, rate), append(ratios, rate/noop)
			fmt.Printf("round %d: no-op %.0f workflows/s, dunning %.0f accounts/s, ratio %.2f\n", round, noop, rate, rate/noop)
		}
	}
	peak := benchPeakRSS()
	noop, rate := benchenv.Median(noops), benchenv.Median(rates)
	b.ReportMetric(rate, "dunning-accounts/s")
	b.ReportMetric(noop, "noop-workflows/s")
	b.ReportMetric(rate/noop, "ratio")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	fmt.Printf("medians of %d rounds of %d: dunning %.0f accounts/s (Touch to first reminder recorded), no-op %.0f workflows/s (signal-with-start to completion)\n",
		len(rates), n, rate, noop)
	fmt.Printf("ratio dunning/no-op: %.2f of the medians, %.2f median of the rounds' ratios (goal >= 0.7)\n", rate/noop, benchenv.Median(ratios))
	fmt.Printf("peak RSS (VmHWM) of the whole test process during all rounds (worker + embedded Temporal server + SMTP capture + benchmark): %.0f MB\n",
		float64(peak)/(1<<20))
}

// benchDunningRound imports n fresh accounts (not timed), touches them all
// and waits until each one's first reminder is recorded as sent and received
// by the SMTP capture; it returns accounts per second.
func benchDunningRound(b *testing.B, ctx context.Context, r *dunningRig, n int) float64 {
	b.Helper()
	before := r.accounts
	ids := r.addAccounts(b, ctx, n)
	start := time.Now()
	r.touch(b, ctx, ids)
	touched := time.Since(start)
	// The capture's count is in memory: waiting on it first keeps the
	// benchmark's own polling off Postgres, which the worker uses.
	deadline := time.Now().Add(max(10*time.Minute, time.Duration(n)*50*time.Millisecond))
	mailCtx, cancel := context.WithDeadline(ctx, deadline)
	_, err := r.mailbox.WaitFor(mailCtx, r.accounts)
	cancel()
	require.NoError(b, err, "emails received")
	for {
		done, _, err := r.finished(ctx)
		require.NoError(b, err)
		if done >= r.accounts {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d first actions recorded after %v", done-before, n, time.Since(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(start)

	var logged, sent int
	require.NoError(b, r.st.Pool.QueryRow(ctx,
		`SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM message_log`).Scan(&logged, &sent))
	require.Equal(b, r.accounts, logged, "one first action per account")
	require.Equal(b, r.accounts, sent)
	fmt.Printf("dunning: %d accounts from Touch to first reminder recorded in %v (Touch itself %v)\n",
		n, took.Round(time.Millisecond), touched.Round(time.Millisecond))
	return float64(n) / took.Seconds()
}

// noopStart starts the no-op workflow id on c, one way or another.
type noopStart func(ctx context.Context, c client.Client, id string) error

// signalWithStartNoop starts it the way Touch starts Dunning workflows.
func signalWithStartNoop(ctx context.Context, c client.Client, id string) error {
	_, err := c.SignalWithStartWorkflow(ctx, id, "poke", nil,
		client.StartWorkflowOptions{ID: id, TaskQueue: benchNoopQueue}, benchNoopWorkflow)
	return err
}

// executeNoop starts it the way a case's workflow is started (flow.Client.StartCase).
func executeNoop(ctx context.Context, c client.Client, id string) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: benchNoopQueue}, benchNoopWorkflow)
	return err
}

// benchNoop starts n no-op workflows (IDs prefix + i) with start, inflight
// calls in flight, and waits until all completed; it returns workflows per
// second.
func benchNoop(b *testing.B, ctx context.Context, c client.Client, prefix string, n, inflight int, start noopStart) float64 {
	b.Helper()
	begin := time.Now()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = prefix + strconv.Itoa(i)
	}
	eachID(b, ids, inflight, func(id string) error { return start(ctx, c, id) })
	eachID(b, ids, inflight, func(id string) error { return c.GetWorkflow(ctx, id, "").Get(ctx, nil) })
	took := time.Since(begin)
	fmt.Printf("no-op: %d workflows started and completed in %v\n", n, took.Round(time.Millisecond))
	return float64(n) / took.Seconds()
}

// eachID calls f for every id, inflight calls at a time, and fails b with
// the ids whose call failed.
func eachID(b *testing.B, ids []string, inflight int, f func(id string) error) {
	b.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	sem := make(chan struct{}, inflight)
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
func benchPeakRSS() int64 { return procStatus(os.Getpid(), "VmHWM:") }
