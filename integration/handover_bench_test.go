package integration

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"recoup/app"
	"recoup/benchenv"
	"recoup/domain"
	"recoup/flow"
	"recoup/store/storetest"
)

const (
	benchUpdateQueue = "bench-update"
	benchUpdateName  = "poke"
	benchStopSignal  = "stop"
)

// benchUpdateWorkflow answers an update and does nothing else until told to
// stop: the server's cost of one update, the baseline of a handover's moves
// (each an update of the account's Dunning workflow).
func benchUpdateWorkflow(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, benchUpdateName, func(_ workflow.Context, by string) (string, error) {
		return by, nil
	}); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, benchStopSignal).Receive(ctx, nil)
	return nil
}

// BenchmarkHandover measures, on one embedded Temporal server, the handover
// of an agent with RECOUP_BENCH_HANDOVER_ACCOUNTS accounts (default 500; 20000
// for the figure in the README), each with a running Dunning workflow: the time
// the Handover workflow takes to move them all to a delegate (from the
// absence's creation until Postgres gives every account to the delegate) and
// to move them back (from the early end until the workflow completes). In the
// same run it measures the server's bare update rate over as many workflows
// (one update each, 16 in flight, as the handover's moves), and prints the
// ratio of the handover's moves per second to it (goal >= 0.5). The two
// alternate for RECOUP_BENCH_HANDOVER_ROUNDS rounds (default 1); medians are
// quoted.
//
//	go test ./integration/ -run '^$' -bench Handover -benchtime 1x
//	RECOUP_BENCH_HANDOVER_ACCOUNTS=20000 RECOUP_BENCH_HANDOVER_ROUNDS=3 go test ./integration/ -run '^$' -bench Handover -benchtime 1x -timeout 3h
func BenchmarkHandover(b *testing.B) {
	n, rounds := benchenv.Int(b, "RECOUP_BENCH_HANDOVER_ACCOUNTS", 500), benchenv.Int(b, "RECOUP_BENCH_HANDOVER_ROUNDS", 1)
	ctx := context.Background()
	setup := time.Now()
	r := newDunningRig(b, n, 32)
	rows := storetest.NewFactory(r.st.Pool)
	rows.User(b, storetest.User{Email: "alice@example.com", Role: domain.RoleAgent})
	rows.User(b, storetest.User{Email: "bob@example.com", Role: domain.RoleAgent})
	// Not yet due: the Dunning workflows only wait, so nothing but the moves loads the server.
	_, err := r.st.Pool.Exec(ctx, `UPDATE invoices SET issue_date = current_date - 10, due_date = current_date + 60`)
	require.NoError(b, err)
	_, err = r.st.Pool.Exec(ctx, `UPDATE customers SET agent_id = (SELECT id FROM users WHERE email = 'alice@example.com')`)
	require.NoError(b, err)

	r.startWorkers(b, ctx, benchUpdateQueue, benchUpdateWorkflow)
	r.touchAll(b, ctx)
	r.waitAgentVisible(b, ctx, "alice@example.com", n)
	fmt.Printf("\nsetup (server, database, %d accounts with a running Dunning workflow): %v\n", n, time.Since(setup).Round(time.Millisecond))

	fc := flow.NewClient(r.tc)
	uc := app.New(r.st, fc, slog.New(slog.DiscardHandler))
	manager := domain.Principal{Email: "manager@example.com", Role: domain.RoleAdmin, AllEntities: true}
	var outs, backs, bares []float64 // per second
	for b.Loop() {
		for round := range rounds {
			bare := benchUpdates(b, ctx, r.tc, n, round)

			start := time.Now()
			until := start.Add(365 * 24 * time.Hour)
			ab, err := uc.CreateAbsence(ctx, manager, app.AbsenceRequest{AgentEmail: "alice@example.com",
				Delegates: []string{"bob@example.com"}, From: &start, Until: &until, Reason: "benchmark"})
			require.NoError(b, err)
			r.waitAgentAccounts(b, ctx, "bob@example.com", n)
			out := time.Since(start)

			start = time.Now()
			_, err = uc.EndAbsence(ctx, manager, ab.ID)
			require.NoError(b, err)
			var res flow.HandoverResult
			require.NoError(b, r.tc.GetWorkflow(ctx, flow.HandoverWorkflowID(ab.ID), "").Get(ctx, &res))
			back := time.Since(start)
			require.Equal(b, n, res.Accounts, "every account comes back")
			r.waitAgentAccounts(b, ctx, "alice@example.com", n)

			outs, backs, bares = append(outs, float64(n)/out.Seconds()), append(backs, float64(n)/back.Seconds()), append(bares, bare)
			fmt.Printf("round %d: bare updates %.0f/s; handover out %v (%.0f accounts/s), back %v (%.0f accounts/s)\n",
				round+1, bare, out.Round(time.Millisecond), outs[len(outs)-1], back.Round(time.Millisecond), backs[len(backs)-1])
		}
	}
	out, back, bare := benchenv.Median(outs), benchenv.Median(backs), benchenv.Median(bares)
	b.ReportMetric(out, "out-accounts/s")
	b.ReportMetric(back, "back-accounts/s")
	b.ReportMetric(bare, "bare-updates/s")
	b.ReportMetric(min(out, back)/bare, "ratio")
	fmt.Printf("handover of %d accounts, median of %d rounds: out %.1fs (%.0f accounts/s), back %.1fs (%.0f accounts/s)\n",
		n, len(outs), float64(n)/out, out, float64(n)/back, back)
	fmt.Printf("bare update rate over %d workflows, same server, 16 in flight: %.0f updates/s\n", n, bare)
	fmt.Printf("ratio handover/bare: out %.2f, back %.2f (goal >= 0.5)\n", out/bare, back/bare)
}

// benchUpdates starts n workflows that answer an update (not timed), sends
// each one update, 16 in flight, and answers updates per second; then it
// stops them.
func benchUpdates(b *testing.B, ctx context.Context, c client.Client, n, round int) float64 {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("bench-update/%d/%d", round, i)
	}
	eachID(b, ids, 16, func(id string) error {
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: benchUpdateQueue}, benchUpdateWorkflow)
		return err
	})
	start := time.Now()
	eachID(b, ids, 16, func(id string) error {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: benchUpdateName,
			Args: []any{"bench"}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		var got string
		return h.Get(ctx, &got)
	})
	took := time.Since(start)
	eachID(b, ids, 16, func(id string) error { return c.SignalWorkflow(ctx, id, "", benchStopSignal, nil) })
	return float64(n) / took.Seconds()
}

// waitAgentAccounts waits until Postgres gives the agent n accounts.
func (r *dunningRig) waitAgentAccounts(tb testing.TB, ctx context.Context, agent string, n int) {
	tb.Helper()
	deadline := time.Now().Add(max(10*time.Minute, time.Duration(n)*100*time.Millisecond))
	for {
		var have int
		require.NoError(tb, r.st.Pool.QueryRow(ctx, `SELECT count(*) FROM customers c JOIN users u ON u.id = c.agent_id WHERE u.email = $1`,
			agent).Scan(&have))
		if have == n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s has %d of %d accounts after the deadline", agent, have, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitAgentVisible waits until the visibility store shows n running Dunning
// workflows of the agent (each sets RecoupAgent on its first evaluation), so
// the handover finds them as it would in production.
func (r *dunningRig) waitAgentVisible(tb testing.TB, ctx context.Context, agent string, n int) {
	tb.Helper()
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'", flow.WorkflowDunning, flow.AttrAgent, agent)
	deadline := time.Now().Add(max(5*time.Minute, time.Duration(n)*50*time.Millisecond))
	for {
		resp, err := r.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		require.NoError(tb, err)
		if int(resp.GetCount()) >= n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("only %d of %d Dunning workflows show agent %s", resp.GetCount(), n, agent)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
