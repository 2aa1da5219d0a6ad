package integration

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/devserver"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/tclient"
	"recoup/worker"
)

// failureLog is a slog handler that counts the worker's warnings that
// contain each of its patterns (in the message or an attribute), and those
// of them that were a retry (attempt > 1): what the worker saw of an outage,
// observed instead of waited for.
type failureLog struct {
	mu       sync.Mutex
	patterns []string
	counts   map[string]int
	retries  map[string]int
}

func newFailureLog(patterns ...string) *failureLog {
	return &failureLog{patterns: patterns, counts: map[string]int{}, retries: map[string]int{}}
}

func (f *failureLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (f *failureLog) WithAttrs([]slog.Attr) slog.Handler           { return f }
func (f *failureLog) WithGroup(string) slog.Handler                { return f }

func (f *failureLog) Handle(_ context.Context, r slog.Record) error {
	var line strings.Builder
	line.WriteString(r.Message)
	retry := false
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&line, " %s=%v", a.Key, a.Value)
		if a.Key == "attempt" && a.Value.Int64() > 1 {
			retry = true
		}
		return true
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.patterns {
		if strings.Contains(line.String(), p) {
			f.counts[p]++
			if retry {
				f.retries[p]++
			}
		}
	}
	return nil
}

// count returns the failures matching pattern, and how many of them were retries.
func (f *failureLog) count(pattern string) (all, retries int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[pattern], f.retries[pattern]
}

// inProcessStack is the embedded Temporal server and a migrated database of
// its own, loaded with a batch of n accounts (see loadBatch).
func inProcessStack(t *testing.T, ctx context.Context, n int, phones bool) *dunningRig {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), Namespace: "default",
		SearchAttributes: flow.SearchAttributes, Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	pool, err := pgxpool.New(ctx, storetest.NewURL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	r := loadBatch(t, ctx, &store.Store{Pool: pool}, n, phones)
	r.srv = srv
	r.tc, err = tclient.Dial(ctx, srv.FrontendAddress(), "default", log)
	require.NoError(t, err)
	t.Cleanup(r.tc.Close)
	return r
}

// startWorker runs worker.New (what `recoup worker` runs) on o until the test ends.
func startWorker(t *testing.T, ctx context.Context, o worker.Options) {
	t.Helper()
	w, err := worker.New(ctx, o)
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
}

// SMTP down in the middle of a batch: the server refuses connections, then
// answers 451 to every message, then comes back. Every reminder is
// delivered afterwards, none twice, and no workflow failed.
func TestSMTPOutageMidBatchDeliversEachReminderOnce(t *testing.T) {
	t.Parallel() // with the other outage tests: they mostly wait on backoff
	n := crashBatch(t, 150)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r := inProcessStack(t, ctx, n, false)
	mta := startFaultySMTP(t)
	const refused, tempFailed = "connection refused", "451"
	seen := newFailureLog(refused, tempFailed)
	// Each phase lasts until some actions failed in it on a retry: the
	// same reminders meet the refusal, then the 451, then the server.
	startWorker(t, ctx, worker.Options{Client: r.tc, Namespace: "default", Store: r.st, SMTPURL: "smtp://" + mta.addr,
		MailFrom: "ar@recoup.test", SweepFirstAfter: time.Hour, Log: slog.New(seen)})

	begin := time.Now()
	progress := func() string {
		accepted, answered451, _ := mta.counts()
		done, all, _ := r.finished(ctx)
		ref, refRetries := seen.count(refused)
		tf, tfRetries := seen.count(tempFailed)
		return fmt.Sprintf("%v: %d emails accepted, %d answered 451; failures: %d 'connection refused' (%d retries), %d 451 (%d retries); %d of %d claimed actions finished",
			time.Since(begin).Round(100*time.Millisecond), accepted, answered451, ref, refRetries, tf, tfRetries, done, all)
	}
	r.touchAll(t, ctx)
	within(t, 3*time.Minute, "a third of the batch sent", func() bool { a, _, _ := mta.counts(); return a >= n/3 }, progress)

	mta.down()
	t.Logf("SMTP down (connections refused) at %s", progress())
	within(t, 2*time.Minute, "sends refused on a retry", func() bool { _, retries := seen.count(refused); return retries >= 3 }, progress)
	mta.up(t, true)
	t.Logf("SMTP answering 451 at %s", progress())
	within(t, 2*time.Minute, "sends answered 451 on a retry", func() bool { _, retries := seen.count(tempFailed); return retries >= 3 }, progress)
	mta.up(t, false)
	t.Logf("SMTP back at %s", progress())

	within(t, 4*time.Minute, "every reminder recorded", func() bool {
		done, all, err := r.finished(ctx)
		return err == nil && done == n && all == n
	}, progress)
	t.Logf("batch done: %s", progress())
	requireEachOnce(t, ctx, r.st, n, "sent", mta.received(), emailIdent, nil)
	requireNoWorkflowFailed(t, ctx, r.tc)
}

// The same for Twilio: the endpoint refuses connections, then answers 503,
// then comes back. Every text is delivered afterwards, none twice (counted
// by the idempotency header the stand-in records), and no workflow failed.
func TestTwilioOutageMidBatchDeliversEachTextOnce(t *testing.T) {
	t.Parallel() // with the other outage tests: they mostly wait on backoff
	n := crashBatch(t, 150)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r := inProcessStack(t, ctx, n, true)
	tw := startFaultyTwilio(t)
	const refused, unavailable = "connection refused", "503"
	seen := newFailureLog(refused, unavailable) // phases end as in the SMTP test
	startWorker(t, ctx, worker.Options{Client: r.tc, Namespace: "default", Store: r.st,
		Twilio:          worker.TwilioSettings{AccountSID: crashTwilioSID, AuthToken: crashTwilioToken, FromNumber: crashTwilioFrom, APIURL: "http://" + tw.addr},
		SweepFirstAfter: time.Hour, Log: slog.New(seen)})

	begin := time.Now()
	progress := func() string {
		done, all, _ := r.finished(ctx)
		ref, refRetries := seen.count(refused)
		un, unRetries := seen.count(unavailable)
		return fmt.Sprintf("%v: %d texts accepted; failures: %d 'connection refused' (%d retries), %d 503 (%d retries); %d of %d claimed actions finished",
			time.Since(begin).Round(100*time.Millisecond), tw.mb.Len(), ref, refRetries, un, unRetries, done, all)
	}
	r.touchAll(t, ctx)
	within(t, 3*time.Minute, "a third of the batch sent", func() bool { return tw.mb.Len() >= n/3 }, progress)

	tw.down()
	t.Logf("Twilio down (connections refused) at %s", progress())
	within(t, 2*time.Minute, "texts refused on a retry", func() bool { _, retries := seen.count(refused); return retries >= 3 }, progress)
	tw.api.FailNext(1 << 30)
	tw.up(t)
	t.Logf("Twilio answering 503 at %s", progress())
	within(t, 2*time.Minute, "texts answered 503 on a retry", func() bool { _, retries := seen.count(unavailable); return retries >= 3 }, progress)
	tw.api.FailNext(0)
	t.Logf("Twilio back at %s", progress())

	within(t, 4*time.Minute, "every text recorded", func() bool {
		done, all, err := r.finished(ctx)
		return err == nil && done == n && all == n
	}, progress)
	t.Logf("batch done: %s", progress())
	// No email address: each reminder fell back to a text.
	requireEachOnce(t, ctx, r.st, n, "fallback", tw.received(), twilioIdent, nil)
	requireNoWorkflowFailed(t, ctx, r.tc)
}
