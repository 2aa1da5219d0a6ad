package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"recoup/activities"
	"recoup/benchenv"
	"recoup/flow"
	"recoup/store"
	"recoup/webhook"
)

// BenchmarkWebhookDelivery measures, in one run on the embedded Temporal
// server, how fast one subscription's Webhook workflow delivers
// RECOUP_BENCH_WEBHOOK_EVENTS events (default 100,000: invoice.created of
// one import-sized transaction) to a local receiver, signed, in order, with
// the delivery log and the cursor written, against a bare loop of HTTP POSTs
// of the same bodies to the same receiver (one connection, one after the
// other, as ordered delivery is). The machine is shared and noisy, so the
// two sides alternate (bare, webhook, bare, webhook...) for
// RECOUP_BENCH_WEBHOOK_ROUNDS rounds (default 3), each on fresh events, and
// the medians are compared (goal: ratio >= 0.5).
//
//	go test ./integration/ -run '^$' -bench WebhookDelivery -benchtime 1x -timeout 60m
//	RECOUP_BENCH_WEBHOOK_EVENTS=10000 go test ./integration/ -run '^$' -bench WebhookDelivery -benchtime 1x -timeout 20m
func BenchmarkWebhookDelivery(b *testing.B) {
	n, rounds := benchenv.Int(b, "RECOUP_BENCH_WEBHOOK_EVENTS", 100_000), benchenv.Int(b, "RECOUP_BENCH_WEBHOOK_ROUNDS", 3)
	ctx := context.Background()
	r := newWebhookRig(b)

	var received atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	url := "http://" + ln.Addr().String() + "/hook"

	secret, err := webhook.NewSecret()
	require.NoError(b, err)
	hook, err := r.st.CreateWebhook(ctx, store.Webhook{URL: url, Secret: secret}, "bench")
	require.NoError(b, err)
	// Started here rather than by the use case, to look for new events every 50 ms instead of 2 s while
	// the worker's bell is not listening yet (after, a batch waits for the bell).
	_, err = r.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: flow.WebhookWorkflowID(hook.ID), TaskQueue: flow.TaskQueue},
		flow.WorkflowWebhook, flow.WebhookInput{WebhookID: hook.ID, Idle: 50 * time.Millisecond})
	require.NoError(b, err)

	bare := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: time.Minute}
	var bares, hooks, ratios []float64
	for b.Loop() {
		for round := range rounds {
			// The bare loop: the bodies of a fresh batch of events, POSTed one
			// after the other, while the subscription takes no type of event (the
			// workflow passes over them without competing for the machine).
			r.subscribe(b, ctx, hook.ID, []string{"webhook.none"})
			before := r.newEvents(b, ctx, n)
			bodies := r.bodies(b, ctx, before, n)
			start := time.Now()
			for _, m := range bodies {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(m.Body))
				require.NoError(b, err)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("webhook-id", m.ID)
				resp, err := bare.Do(req)
				require.NoError(b, err)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				require.Equal(b, http.StatusNoContent, resp.StatusCode)
			}
			bareRate := float64(n) / time.Since(start).Seconds()
			r.waitCursor(b, ctx, hook.ID)
			r.subscribe(b, ctx, hook.ID, []string{})

			// The workflow: another fresh batch, from its commit to the last one received.
			target := received.Load() + int64(n)
			r.newEvents(b, ctx, n)
			start = time.Now()
			r.waitReceived(b, &received, target)
			hookRate := float64(n) / time.Since(start).Seconds()

			bares, hooks, ratios = append(bares, bareRate), append(hooks, hookRate), append(ratios, hookRate/bareRate)
			fmt.Printf("round %d: bare POST loop %.0f/s, Webhook workflow %.0f events/s, ratio %.2f\n",
				round+1, bareRate, hookRate, hookRate/bareRate)
		}
	}
	r.waitCursor(b, ctx, hook.ID) // the last batch moves it once its POSTs are done
	h, err := r.st.Webhook(ctx, hook.ID)
	require.NoError(b, err)
	last, err := r.st.LastEventID(ctx)
	require.NoError(b, err)
	require.Equal(b, last, h.LastDeliveredID, "the cursor is at the last event")
	var logged int64
	require.NoError(b, r.st.Pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND ok`, hook.ID).Scan(&logged))
	require.GreaterOrEqual(b, logged, int64(n*rounds), "every delivery is in the log")

	bareRate, hookRate := benchenv.Median(bares), benchenv.Median(hooks)
	b.ReportMetric(hookRate, "events/s")
	b.ReportMetric(bareRate, "bare-posts/s")
	b.ReportMetric(hookRate/bareRate, "ratio")
	fmt.Printf("medians of %d rounds of %d events: Webhook workflow %.0f events/s (signed, in order, logged, cursor kept), bare POST loop %.0f/s: ratio %.2f (median of the rounds' ratios %.2f; goal >= 0.5)\n",
		rounds, n, hookRate, bareRate, hookRate/bareRate, benchenv.Median(ratios))
}

// newEvents writes n invoice.created events in one transaction (an import's
// worth) and answers the last id before them.
func (r *webhookRig) newEvents(b *testing.B, ctx context.Context, n int) int64 {
	b.Helper()
	before, err := r.st.LastEventID(ctx)
	require.NoError(b, err)
	_, err = r.st.Pool.Exec(ctx, `
INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor, erp_open_minor,
                      erp_import_id, open_minor, status)
SELECT 'B' || $2::bigint || '-' || g, $1, 'F-' || $2::bigint || '-' || g, 'invoice', DATE '2026-09-01', DATE '2026-10-01', c.currency,
       10000 + g, 10000 + g, 0, 10000 + g, 'open'
FROM generate_series(1, $3::int) g, customers c WHERE c.id = $1`, r.cust, before, n)
	require.NoError(b, err)
	return before
}

// bodies are the messages the workflow would send for the n events after id.
func (r *webhookRig) bodies(b *testing.B, ctx context.Context, after int64, n int) []webhook.Message {
	b.Helper()
	out := make([]webhook.Message, 0, n)
	for len(out) < n {
		page, err := r.st.Events(ctx, store.Everything, store.EventQuery{After: after, Limit: 1000})
		require.NoError(b, err)
		for _, e := range page.Events {
			m, err := activities.EventMessage(e)
			require.NoError(b, err)
			out = append(out, m)
		}
		after = page.Next
	}
	return out[:n]
}

// subscribe sets the subscription's event types (in the database: the next batch reads them).
func (r *webhookRig) subscribe(b *testing.B, ctx context.Context, id int64, types []string) {
	b.Helper()
	_, err := r.st.Pool.Exec(ctx, `UPDATE webhooks SET event_types = $2 WHERE id = $1`, id, types)
	require.NoError(b, err)
}

// waitCursor waits until the subscription's cursor is at the last event.
func (r *webhookRig) waitCursor(b *testing.B, ctx context.Context, id int64) {
	b.Helper()
	last, err := r.st.LastEventID(ctx)
	require.NoError(b, err)
	for {
		h, err := r.st.Webhook(ctx, id)
		require.NoError(b, err)
		if h.LastDeliveredID >= last {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *webhookRig) waitReceived(b *testing.B, received *atomic.Int64, target int64) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Minute)
	for received.Load() < target {
		require.True(b, time.Now().Before(deadline), "delivery stalled at %d of %d", received.Load(), target)
		time.Sleep(5 * time.Millisecond)
	}
}
