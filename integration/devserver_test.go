package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recoup/devserver"
)

const (
	devTaskQueue = "devserver-test"
	devTimer     = 5 * time.Second
	// Env var that turns TestDevServerKillHelper into the child process of
	// TestDevServerSurvivesKill9; its value is the data dir.
	devKillChildEnv = "RECOUP_DEVSERVER_KILL_CHILD"
)

var (
	saKeyword = temporal.NewSearchAttributeKeyKeyword("RecoupTestKeyword")
	devAttrs  = map[string]enumspb.IndexedValueType{
		"RecoupTestKeyword": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"RecoupTestInt":     enumspb.INDEXED_VALUE_TYPE_INT,
	}
)

// devTimerWorkflow waits on a durable timer: it can only finish after a
// server restart if the timer was persisted.
func devTimerWorkflow(ctx workflow.Context, d time.Duration) (string, error) {
	if err := workflow.Sleep(ctx, d); err != nil {
		return "", err
	}
	return "woke", nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func devOptions(dir string, port int) devserver.Options {
	return devserver.Options{
		DataDir:          dir,
		Namespace:        "default",
		Port:             port,
		Retention:        72 * time.Hour,
		SearchAttributes: devAttrs,
		Logger:           quietLogger(),
	}
}

func startDev(t testing.TB, opts devserver.Options) *devserver.Server {
	t.Helper()
	begin := time.Now()
	s, err := devserver.Start(context.Background(), opts)
	require.NoError(t, err)
	t.Logf("devserver started in %v", time.Since(begin).Round(time.Millisecond))
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func stopDev(t testing.TB, s *devserver.Server) {
	t.Helper()
	begin := time.Now()
	require.NoError(t, s.Stop())
	t.Logf("devserver stopped in %v", time.Since(begin).Round(time.Millisecond))
}

// devClient dials the server and runs a worker for devTimerWorkflow; both
// are closed at cleanup (or earlier by the returned stop func).
func devClient(t testing.TB, s *devserver.Server) (client.Client, func()) {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.FrontendAddress(),
		Namespace: s.Namespace(),
		Logger:    sdklog.NewStructuredLogger(quietLogger()),
	})
	require.NoError(t, err)
	w := worker.New(c, devTaskQueue, worker.Options{})
	w.RegisterWorkflow(devTimerWorkflow)
	require.NoError(t, w.Start())
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			w.Stop()
			c.Close()
		}
	}
	t.Cleanup(stop)
	return c, stop
}

// startTimerWorkflow starts devTimerWorkflow and waits until its timer is
// recorded in history, i.e. durable.
func startTimerWorkflow(t testing.TB, c client.Client, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             devTaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(saKeyword.ValueSet(id)),
	}, devTimerWorkflow, devTimer)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
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
	}, 20*time.Second, 50*time.Millisecond, "timer never started")
}

// requireTimerCompleted waits for the workflow's result and checks that it
// ran for the whole timer, i.e. did not restart from scratch or fire early.
func requireTimerCompleted(t testing.TB, c client.Client, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out string
	require.NoError(t, c.GetWorkflow(ctx, id, "").Get(ctx, &out))
	require.Equal(t, "woke", out)

	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	require.NoError(t, err)
	info := desc.GetWorkflowExecutionInfo()
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, info.GetStatus())
	ran := info.GetCloseTime().AsTime().Sub(info.GetStartTime().AsTime())
	require.GreaterOrEqual(t, ran, devTimer, "workflow closed before its timer")
	t.Logf("workflow %s ran %v", id, ran.Round(time.Millisecond))
}

func requireNamespaceState(t testing.TB, c client.Client, want map[string]enumspb.IndexedValueType, retention time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	require.NoError(t, err)
	for name, typ := range want {
		require.Contains(t, list.GetCustomAttributes(), name)
		require.Equal(t, typ, list.GetCustomAttributes()[name], name)
	}
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	require.NoError(t, err)
	require.Equal(t, retention, desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration())
}

func TestDevServerPersistsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	const id = "devserver-restart"

	// First run: start the workflow, stop while its timer is pending.
	s1 := startDev(t, devOptions(dir, port))
	require.Equal(t, fmt.Sprintf("127.0.0.1:%d", port), s1.FrontendAddress())
	require.Empty(t, s1.UIAddress())
	// One database in WAL mode, and no leftover of its creation.
	require.FileExists(t, filepath.Join(dir, devserver.DBFileName))
	require.FileExists(t, filepath.Join(dir, devserver.DBFileName+"-wal"))
	leftovers, err := filepath.Glob(filepath.Join(dir, devserver.DBFileName+".new-*"))
	require.NoError(t, err)
	require.Empty(t, leftovers)
	c1, stopC1 := devClient(t, s1)
	requireNamespaceState(t, c1, devAttrs, 72*time.Hour)
	startTimerWorkflow(t, c1, id)
	time.Sleep(time.Second)
	stopC1()
	stopDev(t, s1)
	require.NoError(t, s1.Stop(), "second Stop")

	// Second run on the same file, asking for one more search attribute and
	// another retention: both reach the existing namespace.
	opts := devOptions(dir, port)
	opts.Retention = 96 * time.Hour
	opts.SearchAttributes = map[string]enumspb.IndexedValueType{"RecoupTestAdded": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	for k, v := range devAttrs {
		opts.SearchAttributes[k] = v
	}
	s2 := startDev(t, opts)
	c2, _ := devClient(t, s2)
	requireTimerCompleted(t, c2, id)
	requireNamespaceState(t, c2, opts.SearchAttributes, 96*time.Hour)

	// Visibility with the custom attribute survived too.
	require.Eventually(t, func() bool {
		resp, err := c2.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: "default",
			Query:     fmt.Sprintf("RecoupTestKeyword = %q AND ExecutionStatus = 'Completed'", id),
		})
		return err == nil && len(resp.GetExecutions()) == 1
	}, 10*time.Second, 100*time.Millisecond)
}

func TestDevServerRefusesConflicts(t *testing.T) {
	dir := t.TempDir()
	frontendPort := freePort(t)
	running := startDev(t, devOptions(dir, frontendPort))

	// A port held by something else than a Temporal server.
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = held.Close() }()
	heldPort := held.Addr().(*net.TCPAddr).Port

	cases := []struct {
		name    string
		opts    devserver.Options
		is      error
		message string
	}{
		{
			name:    "same data dir",
			opts:    devOptions(dir, freePort(t)),
			is:      devserver.ErrLocked,
			message: "is another recoup dev running",
		},
		{
			name: "frontend port of the running server",
			opts: func() devserver.Options {
				o := devOptions(t.TempDir(), frontendPort)
				o.PortSetting = "--temporal-port"
				return o
			}(),
			is:      devserver.ErrPortInUse,
			message: fmt.Sprintf("port %d is in use: is another recoup dev running? set --temporal-port", frontendPort),
		},
		{
			name: "busy ui port",
			opts: func() devserver.Options {
				o := devOptions(t.TempDir(), freePort(t))
				o.UIPort = heldPort
				return o
			}(),
			is:      devserver.ErrPortInUse,
			message: fmt.Sprintf("port %d (Temporal UI) is in use: is another recoup dev running? choose another port", heldPort),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := devserver.Start(context.Background(), tc.opts)
			if s != nil {
				_ = s.Stop()
			}
			require.Error(t, err)
			t.Logf("refused: %v", err)
			require.ErrorIs(t, err, tc.is)
			require.Contains(t, err.Error(), tc.message)

			// The failed Start must leave nothing behind: the running server
			// still answers, and the refused data dir is free for a real start.
			c, err := client.Dial(client.Options{HostPort: running.FrontendAddress(), Logger: sdklog.NewStructuredLogger(quietLogger())})
			require.NoError(t, err)
			_, err = c.CheckHealth(context.Background(), &client.CheckHealthRequest{})
			c.Close()
			require.NoError(t, err)
			if tc.opts.DataDir != dir {
				retry := tc.opts
				retry.Port, retry.UIPort = freePort(t), 0
				stopDev(t, startDev(t, retry))
			}
		})
	}
}

func TestDevServerUI(t *testing.T) {
	opts := devOptions(t.TempDir(), freePort(t))
	opts.UIPort = freePort(t)
	s := startDev(t, opts)
	require.Equal(t, fmt.Sprintf("http://127.0.0.1:%d", opts.UIPort), s.UIAddress())

	resp, err := http.Get(s.UIAddress())
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	require.Contains(t, strings.ToLower(string(body)), "<html")

	// Stop releases the UI port: a new listener can take it.
	stopDev(t, s)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", opts.UIPort))
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// TestDevServerSurvivesKill9 runs a server in a child process (this test
// binary re-run as TestDevServerKillHelper), kills it with SIGKILL while a
// timer is pending, and finishes the workflow on a server started here on
// the same data dir.
func TestDevServerSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	const id = "devserver-kill9"

	cmd := exec.Command(os.Args[0], "-test.run=^TestDevServerKillHelper$", "-test.v")
	cmd.Env = append(os.Environ(), devKillChildEnv+"="+dir, fmt.Sprintf("RECOUP_DEVSERVER_KILL_PORT=%d", port))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "TIMER-STARTED") {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		ready <- fmt.Errorf("child exited before its timer started: %v", sc.Err())
	}()
	select {
	case err := <-ready:
		require.NoError(t, err)
	case <-time.After(3 * time.Minute):
		t.Fatal("child did not start the workflow in time")
	}

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	s := startDev(t, devOptions(dir, port))
	c, _ := devClient(t, s)
	requireTimerCompleted(t, c, id)
}

// TestDevServerKillHelper is the child of TestDevServerSurvivesKill9; it
// skips in a normal run.
func TestDevServerKillHelper(t *testing.T) {
	dir := os.Getenv(devKillChildEnv)
	if dir == "" {
		t.Skip("child process of TestDevServerSurvivesKill9 only")
	}
	var port int
	_, err := fmt.Sscan(os.Getenv("RECOUP_DEVSERVER_KILL_PORT"), &port)
	require.NoError(t, err)

	s := startDev(t, devOptions(dir, port))
	c, _ := devClient(t, s)
	startTimerWorkflow(t, c, "devserver-kill9")
	time.Sleep(500 * time.Millisecond)
	fmt.Println("TIMER-STARTED")
	time.Sleep(time.Minute) // killed long before this ends
}
