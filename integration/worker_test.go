package integration

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"recoup/devserver"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/tclient"
	"recoup/worker"
	"recoup/workflows"
)

// The worker as `recoup worker` builds it, on the embedded server, against a
// namespace created without Recoup's search attributes: it adds them, then
// runs the system-check workflow whose activity reads Postgres.
func TestWorkerRegistersSearchAttributesAndRunsWorkflow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), Namespace: "recoup-test", Logger: log})
	require.NoError(t, err)
	defer srv.Stop()

	tc, err := tclient.Dial(ctx, srv.FrontendAddress(), "recoup-test", log)
	require.NoError(t, err)
	defer tc.Close()
	require.NoError(t, worker.EnsureSearchAttributes(ctx, tc, "recoup-test", log))
	require.NoError(t, worker.EnsureSearchAttributes(ctx, tc, "recoup-test", log), "a second worker finds them in place")
	attrs, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "recoup-test"})
	require.NoError(t, err)
	for name, typ := range flow.SearchAttributes {
		require.Equal(t, typ, attrs.GetCustomAttributes()[name], name)
	}

	st := &store.Store{Pool: storetest.NewPool(t)}
	w, err := worker.New(ctx, worker.Options{Client: tc, Namespace: "recoup-test", Store: st})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	defer w.Stop()

	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: flow.SystemCheckWorkflowID("it"), TaskQueue: flow.TaskQueue}, workflows.SystemCheck)
	require.NoError(t, err)
	var res flow.SystemCheckResult
	require.NoError(t, run.Get(ctx, &res))
	require.Zero(t, res.Counts.Customers, "a fresh database")
	require.False(t, res.WorkerAt.IsZero())
}
