package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"recoup/devserver"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/tclient"
	"recoup/worker"
)

// Env vars that turn TestCrashTemporalServerHelper into the embedded server
// of TestKilledTemporalServerLosesAndDoublesNothing, in a process of its own.
const (
	crashServerDirEnv  = "RECOUP_CRASH_SERVER_DIR"
	crashServerPortEnv = "RECOUP_CRASH_SERVER_PORT"
	crashServerReady   = "CRASH-SERVER-READY"
	// crashServerCacheEnv sets the child's devserver Options.HistoryCacheSize (the scale run).
	crashServerCacheEnv = "RECOUP_CRASH_SERVER_HISTORY_CACHE"
	// crashServerProfileEnv names a file for a CPU profile of the child's first two minutes.
	crashServerProfileEnv = "RECOUP_CRASH_SERVER_CPU_PROFILE"
)

// serverProcess is the embedded Temporal server (devserver.Start, what
// `recoup dev` runs) in a child process: this test binary re-run as
// TestCrashTemporalServerHelper.
type serverProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser // closed: the child exits (no orphan if the test dies)
}

func startServerProcess(t testing.TB, dir string, port int) *serverProcess {
	t.Helper()
	begin := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashTemporalServerHelper$", "-test.v", "-test.timeout=4h") // the scale run holds it for hours
	cmd.Env = append(os.Environ(), crashServerDirEnv+"="+dir, fmt.Sprintf("%s=%d", crashServerPortEnv, port))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &serverProcess{cmd: cmd, stdin: stdin}
	t.Cleanup(p.kill)
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), crashServerReady) {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		ready <- fmt.Errorf("the server process ended before it was ready: %v", sc.Err())
	}()
	select {
	case err := <-ready:
		require.NoError(t, err)
	case <-time.After(3 * time.Minute):
		t.Fatal("the server process was not ready within 3 minutes")
	}
	t.Logf("Temporal server process %d ready in %v", cmd.Process.Pid, time.Since(begin).Round(100*time.Millisecond))
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *serverProcess) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
	_ = p.stdin.Close()
}

// TestCrashTemporalServerHelper is the server process of
// TestKilledTemporalServerLosesAndDoublesNothing; it skips in a normal run.
func TestCrashTemporalServerHelper(t *testing.T) {
	dir := os.Getenv(crashServerDirEnv)
	if dir == "" {
		t.Skip("the server process of TestKilledTemporalServerLosesAndDoublesNothing only")
	}
	var port int
	_, err := fmt.Sscan(os.Getenv(crashServerPortEnv), &port)
	require.NoError(t, err)
	var cache int
	if v := os.Getenv(crashServerCacheEnv); v != "" {
		_, err = fmt.Sscan(v, &cache)
		require.NoError(t, err, crashServerCacheEnv)
	}
	srv, err := devserver.Start(context.Background(), devserver.Options{DataDir: dir, Port: port, Namespace: "default",
		SearchAttributes: flow.SearchAttributes, Logger: slog.New(slog.DiscardHandler), HistoryCacheSize: cache})
	require.NoError(t, err)
	defer srv.Stop()
	if path := os.Getenv(crashServerProfileEnv); path != "" { // where the scale run's server spends its CPU
		f, err := os.Create(path)
		require.NoError(t, err)
		require.NoError(t, pprof.StartCPUProfile(f))
		time.AfterFunc(2*time.Minute, func() { pprof.StopCPUProfile(); _ = f.Close() })
	}
	fmt.Println(crashServerReady)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it or dies; normally killed first
}

// The embedded Temporal server killed with kill -9 and restarted on its
// data directory, twice: first while the sweep's timer is pending (the
// accounts are woken by nothing else: the timer must fire after the
// restart), then in the middle of the batch the sweep started. The worker
// (worker.New in this process) rides through both; every reminder reaches
// the SMTP server exactly once and no workflow failed.
func TestKilledTemporalServerLosesAndDoublesNothing(t *testing.T) {
	t.Parallel() // with the other outage tests: they mostly wait on backoff
	n := crashBatch(t, 150)
	const sweepAfter = 20 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	dir, port := t.TempDir(), freePort(t)
	server := startServerProcess(t, dir, port)

	pool, err := pgxpool.New(ctx, storetest.NewURL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := &store.Store{Pool: pool}
	r := loadBatch(t, ctx, st, n, false)
	r.tc, err = tclient.Dial(ctx, fmt.Sprintf("127.0.0.1:%d", port), "default", quiet)
	require.NoError(t, err)
	t.Cleanup(r.tc.Close)
	mta := startFaultySMTP(t)
	mta.answerAfter = 100 * time.Millisecond // sends in flight when the server dies
	startWorker(t, ctx, worker.Options{Client: r.tc, Namespace: "default", Store: st, SMTPURL: "smtp://" + mta.addr,
		MailFrom: "ar@recoup.test", SweepFirstAfter: sweepAfter, Log: quiet})

	begin := time.Now()
	progress := func() string {
		accepted, _, _ := mta.counts()
		done, all, _ := r.finished(ctx)
		return fmt.Sprintf("%v: %d emails accepted, %d of %d claimed actions finished",
			time.Since(begin).Round(100*time.Millisecond), accepted, done, all)
	}
	// The sweep's first cycle sleeps sweepAfter: kill the server once that timer is durable.
	within(t, time.Minute, "the sweep's timer recorded", func() bool {
		it := r.tc.GetWorkflowHistory(ctx, flow.SweepWorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return false
			}
			if ev.GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED {
				return true
			}
		}
		return false
	}, progress)
	server.kill()
	t.Logf("server killed (SIGKILL) with the sweep's timer pending, at %s", progress())
	server = startServerProcess(t, dir, port)

	within(t, 3*time.Minute, "the sweep's timer fires and a third of the batch is sent", func() bool {
		accepted, _, _ := mta.counts()
		return accepted >= n/3
	}, progress)
	server.kill()
	t.Logf("server killed (SIGKILL) mid-batch, at %s", progress())
	server = startServerProcess(t, dir, port)
	t.Logf("server back at %s", progress())

	within(t, 4*time.Minute, "every reminder recorded", func() bool {
		done, all, err := r.finished(ctx)
		return err == nil && done == n && all == n
	}, progress)
	t.Logf("batch done: %s", progress())
	requireEachOnce(t, ctx, st, n, "sent", mta.received(), emailIdent, nil)
	requireNoWorkflowFailed(t, ctx, r.tc)
}
