package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/benchenv"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
)

// benchCaseAgent opens the disputes: every account of the benchmark is theirs.
const benchCaseAgent = "agent@bench.example"

// BenchmarkCases measures, on one embedded Temporal server in one run, how
// fast Recoup opens disputes through its HTTP API (RECOUP_BENCH_CASES,
// default 10,000, each a POST /api/v1/cases with an agent's token, from 32
// clients at once, on an account's only invoice, due 7 days ago): a dispute
// counts once the API answered 201 with its Case workflow started and its
// account's Dunning workflow woken, and the visibility store shows its Case
// workflow running. It compares that with the same server's rate for bare
// workflow starts: a no-op workflow started the way a case's workflow is
// (ExecuteWorkflow, same client, 32 in flight) and run to completion by a
// worker with default options on its own task queue.
//
// The API is the production handler (api.NewHandler over app.New) on a real
// HTTP listener in this process, with its own Postgres pool opened the way
// `recoup api` opens it (store.Open) and sharing the rig's Temporal client;
// the worker (worker.New) runs beside it, as in `recoup dev`. The machine is
// shared and noisy, so the two sides alternate for RECOUP_BENCH_CASES_ROUNDS
// rounds (default 3: no-op, cases, no-op, cases, …), each round on fresh
// workflows and on accounts imported for it (not timed), and medians are
// quoted with the ratio (goal ≥ 0.5). After each cases round, not timed, it
// waits until the worker has caught up (no task left in the task queues'
// backlogs) and prints that time too; at the end it checks that no reminder
// went out: every invoice was disputed before its account's workflow looked.
//
//	go test ./integration/ -run '^$' -bench Cases -benchtime 1x -timeout 3h
//	RECOUP_BENCH_CASES=1000 go test ./integration/ -run '^$' -bench Cases -benchtime 1x -timeout 30m
func BenchmarkCases(b *testing.B) {
	n, rounds := benchenv.Int(b, "RECOUP_BENCH_CASES", 10_000), benchenv.Int(b, "RECOUP_BENCH_CASES_ROUNDS", 3)
	const clients = 32
	ctx := context.Background()
	setup := time.Now()
	r := newDunningRig(b, 0, 32)
	r.startWorkers(b, ctx, benchNoopQueue, benchNoopWorkflow)
	cb := newCaseBench(b, ctx, r, clients)
	fmt.Printf("\nsetup (server, database, API, workers): %v\n", time.Since(setup).Round(time.Millisecond))

	benchResetPeakRSS()
	var noops, rates, drained, ratios []float64
	for b.Loop() {
		for range rounds {
			round := len(rates) + 1
			noop := benchNoop(b, ctx, r.tc, fmt.Sprintf("bench-noop/%d/", round), n, clients, executeNoop)
			rate, all := cb.round(b, ctx, n)
			noops, rates, drained, ratios = append(noops, noop), append(rates, rate), append(drained, all), append(ratios, rate/noop)
			fmt.Printf("round %d: no-op %.0f workflows/s, cases %.0f/s (%.0f/s until the worker caught up), ratio %.2f\n",
				round, noop, rate, all, rate/noop)
		}
	}
	peak := benchPeakRSS()
	var reminders int
	require.NoError(b, r.st.Pool.QueryRow(ctx, `SELECT count(*) FROM message_log`).Scan(&reminders))
	require.Zero(b, reminders, "a disputed invoice is never reminded")

	noop, rate, all := benchenv.Median(noops), benchenv.Median(rates), benchenv.Median(drained)
	b.ReportMetric(rate, "cases/s")
	b.ReportMetric(noop, "noop-workflows/s")
	b.ReportMetric(rate/noop, "ratio")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	fmt.Printf("medians of %d rounds of %d: cases %.0f/s (POST /api/v1/cases to 201 and Case workflow running), %.0f/s until the worker caught up; no-op %.0f workflows/s (start to completion); %d clients\n",
		len(rates), n, rate, all, noop, clients)
	fmt.Printf("ratio cases/no-op: %.2f of the medians, %.2f median of the rounds' ratios (goal >= 0.5); %.2f until the worker caught up\n",
		rate/noop, benchenv.Median(ratios), all/noop)
	fmt.Printf("peak RSS (VmHWM) of the whole test process (API + worker + embedded Temporal server + benchmark): %.0f MB\n",
		float64(peak)/(1<<20))
}

// caseBench is the HTTP API on the rig, an agent's token, and the clients.
type caseBench struct {
	r       *dunningRig
	url     string
	token   string
	agentID int64
	clients int
	http    *http.Client
	opened  int // disputes opened so far, every round
}

func newCaseBench(b *testing.B, ctx context.Context, r *dunningRig, clients int) *caseBench {
	b.Helper()
	cb := &caseBench{r: r, clients: clients,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute}}
	agent, err := r.st.PutUser(ctx, store.UserSpec{Email: benchCaseAgent, Role: domain.RoleAgent, Entities: []string{"DN01"}}, "bench")
	require.NoError(b, err)
	cb.agentID = agent.ID
	_, cb.token, err = auth.IssueToken(ctx, r.st, benchCaseAgent, "cases benchmark", "", "", "bench")
	require.NoError(b, err)

	st, err := store.Open(ctx, r.st.Pool.Config().ConnString()) // the API's own pool, as `recoup api` opens it
	require.NoError(b, err)
	b.Cleanup(st.Pool.Close)
	log := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(api.NewHandler(api.Options{App: app.New(st, flow.NewClient(r.tc), log), Logger: log}))
	b.Cleanup(srv.Close)
	cb.url = srv.URL
	return cb
}

// round imports n fresh accounts of the agent, each with one invoice due 7
// days ago (not timed), disputes every invoice through the API and answers
// the rate at which they were opened (201 and Case workflow running) and the
// rate until the worker caught up with what they started.
func (cb *caseBench) round(b *testing.B, ctx context.Context, n int) (opened, caughtUp float64) {
	b.Helper()
	bodies := cb.disputes(b, ctx, n)

	start := time.Now()
	ids := cb.post(b, bodies)
	answered := time.Since(start)
	cb.opened += n
	cb.waitRunning(b, ctx)
	took := time.Since(start)
	waitDrained(b, ctx, cb.r.tc)
	all := time.Since(start)

	var cases, disputed int
	require.NoError(b, cb.r.st.Pool.QueryRow(ctx, benchCountDisputes).Scan(&cases, &disputed))
	require.Equal(b, []int{cb.opened, cb.opened}, []int{cases, disputed}, "cases recorded, invoices disputed")
	require.Len(b, ids, n, "one case id per dispute")
	fmt.Printf("cases: %d disputes answered 201 in %v, their workflows running after %v, the worker caught up after %v\n",
		n, answered.Round(time.Millisecond), took.Round(time.Millisecond), all.Round(time.Millisecond))
	return float64(n) / took.Seconds(), float64(n) / all.Seconds()
}

const (
	benchCountDisputes = `SELECT (SELECT count(*) FROM cases WHERE type = 'dispute'),
       (SELECT count(*) FROM invoices WHERE status = 'disputed')`
	benchAssignAgent  = `UPDATE customers SET agent_id = $1 WHERE id = ANY ($2)`
	benchOnlyInvoices = `SELECT customer_id, id FROM invoices WHERE customer_id = ANY ($1)`
)

// disputes imports n accounts for the agent and answers one dispute request
// body per account, on its invoice, the reasons taken in turn.
func (cb *caseBench) disputes(b *testing.B, ctx context.Context, n int) [][]byte {
	b.Helper()
	customers := cb.r.addAccounts(b, ctx, n)
	_, err := cb.r.st.Pool.Exec(ctx, benchAssignAgent, cb.agentID, customers)
	require.NoError(b, err)
	rows, err := cb.r.st.Pool.Query(ctx, benchOnlyInvoices, customers)
	require.NoError(b, err)
	invoice := map[int64]int64{}
	var c, i int64
	_, err = pgx.ForEachRow(rows, []any{&c, &i}, func() error { invoice[c] = i; return nil })
	require.NoError(b, err)
	bodies := make([][]byte, n)
	for k, customer := range customers {
		require.Contains(b, invoice, customer)
		body, err := json.Marshal(app.CaseRequest{Type: string(domain.CaseDispute), CustomerID: customer,
			Reason: domain.DisputeReasons[k%len(domain.DisputeReasons)], Description: "benchmark",
			Invoices: []store.NewCaseInvoice{{InvoiceID: invoice[customer]}}})
		require.NoError(b, err)
		bodies[k] = body
	}
	return bodies
}

// post sends every body to POST /api/v1/cases from cb.clients clients at
// once and answers the ids of the cases opened; an answer other than 201
// with the workflow started and the account woken fails b.
func (cb *caseBench) post(b *testing.B, bodies [][]byte) []int64 {
	b.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ids  []int64
		errs []error
		bad  int
	)
	next := make(chan []byte)
	for range cb.clients {
		wg.Go(func() {
			for body := range next {
				id, err := cb.open(body)
				mu.Lock()
				if err != nil {
					if bad++; len(errs) < 5 {
						errs = append(errs, err)
					}
				} else {
					ids = append(ids, id)
				}
				mu.Unlock()
			}
		})
	}
	for _, body := range bodies {
		next <- body
	}
	close(next)
	wg.Wait()
	require.Zero(b, bad, "requests failed, the first ones: %v", errs)
	return ids
}

func (cb *caseBench) open(body []byte) (int64, error) {
	req, err := http.NewRequest(http.MethodPost, cb.url+"/api/v1/cases", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+cb.token)
	resp, err := cb.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var out struct {
		Case struct {
			ID int64 `json:"id"`
		} `json:"case"`
		Started bool `json:"workflow_started"`
		Woken   bool `json:"account_woken"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &out) != nil || !out.Started || !out.Woken || out.Case.ID == 0 {
		return 0, fmt.Errorf("%s: %d %s", body, resp.StatusCode, raw)
	}
	return out.Case.ID, nil
}

// waitRunning waits until the visibility store shows every case opened so
// far with its Case workflow running.
func (cb *caseBench) waitRunning(b *testing.B, ctx context.Context) {
	b.Helper()
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", flow.WorkflowCase)
	deadline := time.Now().Add(max(5*time.Minute, time.Duration(cb.opened)*10*time.Millisecond))
	for {
		resp, err := cb.r.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		require.NoError(b, err)
		if int(resp.GetCount()) >= cb.opened {
			require.Equal(b, cb.opened, int(resp.GetCount()), "one Case workflow per dispute")
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d Case workflows running", resp.GetCount(), cb.opened)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitDrained waits until Recoup's task queue has no workflow or activity
// task waiting in its backlog, twice in a row (the figures are approximate).
func waitDrained(b *testing.B, ctx context.Context, c interface {
	WorkflowService() workflowservice.WorkflowServiceClient
}) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Minute)
	quiet := 0
	for quiet < 2 {
		backlog := int64(0)
		for _, kind := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
			resp, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{Namespace: "default",
				TaskQueue: &taskqueuepb.TaskQueue{Name: flow.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}, TaskQueueType: kind,
				ReportStats: true})
			require.NoError(b, err)
			backlog += resp.GetStats().GetApproximateBacklogCount()
		}
		if backlog == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if time.Now().After(deadline) {
			b.Fatalf("the worker has %d tasks waiting after 30 minutes", backlog)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
