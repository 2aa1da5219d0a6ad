package integration

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"recoup/devserver"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/tclient"
)

// buildRecoup builds the recoup binary into dir (the Go build cache makes
// this a link, seconds when the test binary was just built) and returns its path.
func buildRecoup(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "recoup")
	begin := time.Now()
	cmd := exec.Command("go", "build", "-o", bin, "recoup/cmd/recoup")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	require.NoError(tb, err, "go build ./cmd/recoup: %s", out)
	tb.Logf("built recoup in %v", time.Since(begin).Round(100*time.Millisecond))
	return bin
}

// workerProcess is a `recoup worker` running in its own process.
type workerProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{} // closed once the process is gone
}

// startWorkerProcess runs `recoup worker` with only the environment given
// (and PATH, HOME), logging warnings and errors.
func startWorkerProcess(tb testing.TB, bin string, env ...string) *workerProcess {
	tb.Helper()
	p := &workerProcess{stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "worker")
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "RECOUP_LOG_LEVEL=warn"}, env...)
	p.cmd.Stderr = p.stderr
	require.NoError(tb, p.cmd.Start())
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	tb.Cleanup(p.kill)
	return p
}

// requireRunning fails the test, with what the process wrote, if it exited.
func (p *workerProcess) requireRunning(tb testing.TB) {
	select {
	case <-p.exited:
		tb.Fatalf("recoup worker exited (%v):\n%s", p.cmd.ProcessState, p.stderr.String())
	default:
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *workerProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// kill -9 of a real `recoup worker` process in the middle of a batch: a new
// worker process finishes the job, every reminder reaches the SMTP server,
// and only a reminder in the window "provider accepted, record not yet
// written" at the kill may reach it twice. The test counts that window and
// bounds the duplicates by it.
func TestKilledWorkerProcessSendsEachReminderOnce(t *testing.T) {
	n := crashBatch(t, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	bin := buildRecoup(t, t.TempDir())

	srv, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), Namespace: "default",
		SearchAttributes: flow.SearchAttributes, Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	tc, err := tclient.Dial(ctx, srv.FrontendAddress(), "default", log)
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	dbURL := storetest.NewURL(t)
	pool, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := &store.Store{Pool: pool}
	r := loadBatch(t, ctx, st, n, false)
	r.tc = tc
	mta := startFaultySMTP(t)
	mta.answerAfter = 300 * time.Millisecond // so that the kill finds sends in the window
	env := []string{"DATABASE_URL=" + dbURL, "TEMPORAL_ADDRESS=" + srv.FrontendAddress(), "TEMPORAL_NAMESPACE=default",
		"SMTP_URL=smtp://" + mta.addr, "RECOUP_MAIL_FROM=ar@recoup.test"}

	w1 := startWorkerProcess(t, bin, env...)
	begin := time.Now()
	r.touchAll(t, ctx)
	progress := func() string {
		accepted, _, _ := mta.counts()
		done, all, _ := r.finished(ctx)
		return fmt.Sprintf("%v: %d emails accepted, %d of %d claimed actions finished",
			time.Since(begin).Round(100*time.Millisecond), accepted, done, all)
	}
	within(t, 3*time.Minute, "a third of the batch sent by the first worker", func() bool {
		w1.requireRunning(t)
		accepted, _, _ := mta.counts()
		return accepted >= n/3
	}, progress)
	w1.kill()
	t.Logf("first worker killed (SIGKILL) at %s", progress())
	if s := w1.stderr.String(); s != "" {
		t.Logf("first worker's warnings:\n%s", s)
	}
	// A DATA the dead process was sending ends on the closed connection.
	within(t, 30*time.Second, "the SMTP server idle", func() bool { _, _, inData := mta.counts(); return inData == 0 }, progress)

	// The window: keys claimed but not recorded ('sending') whose email the server has.
	received := mta.received()
	window := map[string]bool{}
	var cut []string
	for key, status := range messageKeys(t, ctx, st) {
		if status == "sending" {
			cut = append(cut, key)
			if received[emailIdent(key)] > 0 {
				window[key] = true
			}
		}
	}
	t.Logf("at the kill: %d actions claimed and not recorded, %d of them already accepted by the SMTP server (the window)", len(cut), len(window))

	w2 := startWorkerProcess(t, bin, env...)
	restarted := time.Now()
	within(t, 5*time.Minute, "every reminder recorded after the restart", func() bool {
		w2.requireRunning(t)
		done, all, err := r.finished(ctx)
		return err == nil && done == n && all == n
	}, progress)
	t.Logf("second worker finished the batch %v after its start (%s)", time.Since(restarted).Round(100*time.Millisecond), progress())
	if s := w2.stderr.String(); s != "" {
		t.Logf("second worker's warnings:\n%s", s)
	}
	dups := requireEachOnce(t, ctx, st, n, "sent", mta.received(), emailIdent, window)
	t.Logf("%d reminders, %d received twice (window at the kill: %d)", n, dups, len(window))
	requireNoWorkflowFailed(t, ctx, tc)

	// The cut actions were retried because their heartbeats stopped, not
	// after the 2-minute start-to-close timeout.
	for _, key := range cut {
		var wfID string
		require.NoError(t, pool.QueryRow(ctx, `SELECT workflow_id FROM message_log WHERE key = $1`, key).Scan(&wfID))
		require.Equal(t, enumspb.TIMEOUT_TYPE_HEARTBEAT, retriedAfter(t, ctx, tc, wfID), "the cut action of %s", wfID)
	}
}

// retriedAfter returns the timeout that ended the first attempt of an
// activity of the workflow that was retried (TIMEOUT_TYPE_UNSPECIFIED if none was).
func retriedAfter(t *testing.T, ctx context.Context, tc client.Client, workflowID string) enumspb.TimeoutType {
	t.Helper()
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
			return a.GetLastFailure().GetTimeoutFailureInfo().GetTimeoutType()
		}
	}
	return enumspb.TIMEOUT_TYPE_UNSPECIFIED
}
