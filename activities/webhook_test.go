package activities_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/webhook"
)

// receiver answers each POST with the next status of its script (200 once
// the script is used up) and keeps the event ids of the bodies it took.
type receiver struct {
	mu      sync.Mutex
	script  []int
	took    []int64
	headers []string // webhook-id of every request, taken or not
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var msg struct {
		Type string
		Data store.Event
	}
	_ = json.Unmarshal(body, &msg)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers = append(r.headers, req.Header.Get("webhook-id"))
	status := http.StatusOK
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	if status == http.StatusOK {
		r.took = append(r.took, msg.Data.ID)
	}
	w.WriteHeader(status)
}

type webhookBundle struct {
	st   *store.Store
	f    *storetest.Factory
	rcv  *receiver
	acts *activities.Webhooks
	hook store.Webhook
	cust int64
}

func webhookSetup(t *testing.T, types []string, script ...int) *webhookBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	b := &webhookBundle{st: &store.Store{Pool: pool}, f: storetest.NewFactory(pool), rcv: &receiver{script: script}}
	srv := httptest.NewServer(b.rcv)
	t.Cleanup(srv.Close)
	b.cust = b.f.Customer(t, storetest.Customer{})
	b.f.User(t, storetest.User{Role: domain.RoleAdmin, Email: "root@example.com"})
	secret, err := webhook.NewSecret()
	require.NoError(t, err)
	b.hook, err = b.st.CreateWebhook(context.Background(), store.Webhook{URL: srv.URL + "/in", EventTypes: types, Secret: secret}, "test")
	require.NoError(t, err)
	b.acts = &activities.Webhooks{Store: b.st, Targets: webhook.Targets{AllowPrivate: true}}
	return b
}

// toggle writes n events: credit hold, released, hold...
func (b *webhookBundle) toggle(t *testing.T, n int) {
	t.Helper()
	for range n {
		_, err := b.st.Pool.Exec(context.Background(), `UPDATE customers SET on_hold = NOT on_hold WHERE id = $1`, b.cust)
		require.NoError(t, err)
	}
}

func (b *webhookBundle) deliver(t *testing.T, attempt int) flow.WebhookBatch {
	t.Helper()
	out, err := b.acts.DeliverWebhook(context.Background(), flow.DeliverInput{WebhookID: b.hook.ID, Attempt: attempt})
	require.NoError(t, err)
	return out
}

func (b *webhookBundle) ids(t *testing.T) []int64 {
	t.Helper()
	page, err := b.st.WebhookEvents(context.Background(), b.hook.LastDeliveredID, b.hook.EventTypes, 1000)
	require.NoError(t, err)
	var ids []int64
	for _, e := range page.Events {
		ids = append(ids, e.ID)
	}
	return ids
}

func TestDeliveryIsInOrderAndResumesAfterRefusals(t *testing.T) {
	t.Parallel()
	b := webhookSetup(t, []string{"customer.credit_hold"}, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	b.toggle(t, 6) // three holds, three releases: only the holds are subscribed
	want := b.ids(t)
	require.Len(t, want, 3)

	require.Equal(t, flow.WebhookBatch{Failed: true, Error: "the receiver answered 503"}, b.deliver(t, 0))
	require.Equal(t, flow.WebhookBatch{Failed: true, Error: "the receiver answered 503"}, b.deliver(t, 1))
	require.Equal(t, flow.WebhookBatch{Delivered: 3}, b.deliver(t, 2))
	require.Equal(t, flow.WebhookBatch{}, b.deliver(t, 0), "nothing new")
	require.Equal(t, want, b.rcv.took, "in order, each once")

	h, err := b.st.Webhook(context.Background(), b.hook.ID)
	require.NoError(t, err)
	last, err := b.st.LastEventID(context.Background())
	require.NoError(t, err)
	require.Greater(t, last, want[2])
	require.Equal(t, last, h.LastDeliveredID, "the cursor is past the last one taken and the release after it, not subscribed")

	log, err := b.st.WebhookDeliveries(context.Background(), b.hook.ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, log, 5)
	var got []string
	for _, d := range log {
		got = append(got, fmtDelivery(d))
	}
	require.Equal(t, []string{
		fmtEvent(want[2], 1, 200), fmtEvent(want[1], 1, 200), fmtEvent(want[0], 3, 200),
		fmtEvent(want[0], 2, 503), fmtEvent(want[0], 1, 503),
	}, got, "the log, latest first: the head event's attempts counted")
	require.Equal(t, "evt_"+itoa(want[0]), b.rcv.headers[0], "the message id is the event's, the same on each attempt")
	require.Equal(t, b.rcv.headers[0], b.rcv.headers[2])

	// Redeliver from the second: it and the third come again, in order.
	_, err = b.st.RewindWebhook(context.Background(), b.hook.ID, want[1]-1, "test")
	require.NoError(t, err)
	require.Equal(t, flow.WebhookBatch{Delivered: 2}, b.deliver(t, 0))
	require.Equal(t, append(want, want[1], want[2]), b.rcv.took)
}

// More events than a batch leaves unsaved (activities.WebhookUnsaved), with
// saves in the background: every one is taken once, in order, logged once, and
// the cursor ends at the last.
func TestALongBatchLogsEveryAttemptOnceAndMovesTheCursorToTheEnd(t *testing.T) {
	t.Parallel()
	b := webhookSetup(t, nil)
	n := 2*activities.WebhookUnsaved + activities.WebhookCheckpoint/2
	_, err := b.st.Pool.Exec(context.Background(), `
INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor, erp_open_minor,
                      erp_import_id, open_minor, status)
SELECT 'L-' || g, c.id, 'L-' || g, 'invoice', DATE '2026-09-01', DATE '2026-10-01', c.currency, 100, 100, 0, 100, 'open'
FROM generate_series(1, $2::int) g, customers c WHERE c.id = $1`, b.cust, n)
	require.NoError(t, err)
	last, err := b.st.LastEventID(context.Background())
	require.NoError(t, err)

	require.Equal(t, flow.WebhookBatch{Delivered: n}, b.deliver(t, 0))
	require.Len(t, b.rcv.took, n)
	for i, id := range b.rcv.took {
		require.Equal(t, last-int64(n)+1+int64(i), id, "in order, each once")
	}
	h, err := b.st.Webhook(context.Background(), b.hook.ID)
	require.NoError(t, err)
	require.Equal(t, last, h.LastDeliveredID)
	var logged, distinct int
	require.NoError(t, b.st.Pool.QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT event_id) FROM webhook_deliveries WHERE webhook_id = $1 AND ok AND attempt = 1`,
		b.hook.ID).Scan(&logged, &distinct))
	require.Equal(t, n, logged, "every attempt logged")
	require.Equal(t, n, distinct, "once")
}

func TestGoneDisablesTheSubscriptionAndTellsAdmins(t *testing.T) {
	t.Parallel()
	b := webhookSetup(t, nil, http.StatusOK, http.StatusGone)
	b.toggle(t, 3)
	got := b.deliver(t, 0)
	require.Equal(t, flow.WebhookBatch{Delivered: 1, Failed: true, Gone: true, Error: "the receiver answered 410"}, got)
	h, err := b.st.Webhook(context.Background(), b.hook.ID)
	require.NoError(t, err)
	require.Equal(t, store.WebhookDisabled, h.State)
	require.Equal(t, "the receiver answered 410 Gone", h.StateReason)
	require.Equal(t, flow.WebhookBatch{Stopped: true}, b.deliver(t, 0), "a disabled subscription delivers nothing")
	require.Len(t, b.rcv.took, 1)

	var kind string
	var params map[string]any
	require.NoError(t, b.st.Pool.QueryRow(context.Background(),
		`SELECT kind, params FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'root@example.com'`).Scan(&kind, &params))
	require.Equal(t, "webhook_failing", kind)
	require.Equal(t, float64(b.hook.ID), params["webhook_id"])
}

func TestDeliveryRefusesAnInternalTargetUnlessAllowed(t *testing.T) {
	t.Parallel()
	b := webhookSetup(t, nil)
	b.acts = &activities.Webhooks{Store: b.st} // the default: no private targets
	b.toggle(t, 1)
	got := b.deliver(t, 0)
	require.True(t, got.Failed)
	require.Contains(t, got.Error, "private, loopback or link-local")
	require.Empty(t, b.rcv.headers, "nothing reached the receiver on the loopback")
}

func fmtDelivery(d store.WebhookDelivery) string { return fmtEvent(*d.EventID, d.Attempt, d.Status) }

func fmtEvent(id int64, attempt, status int) string {
	return "event " + itoa(id) + " attempt " + itoa(int64(attempt)) + ": " + itoa(int64(status))
}
