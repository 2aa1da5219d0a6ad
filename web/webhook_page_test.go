package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/webhook"
)

// setupWebhooks is setup with webhooks allowed to the loopback, where the test's receiver listens.
func setupWebhooks(t *testing.T) *testBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	uses := app.New(st, nil, nil, app.WithWebhookTargets(webhook.Targets{AllowPrivate: true}))
	pages, err := New(Options{App: uses, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv := httptest.NewTLSServer(api.NewHandler(api.Options{App: uses, Logger: slog.New(slog.DiscardHandler), Mount: pages.Mount}))
	t.Cleanup(srv.Close)
	return &testBundle{srv: srv, store: st, rows: storetest.NewFactory(pool)}
}

// An admin reads the subscriptions and one's delivery log, sends a test
// event and redelivers; other roles see neither the page nor its link, and
// their posts are refused.
func TestAdminReadsWebhooksAndTheirDeliveryLog(t *testing.T) {
	t.Parallel()
	b := setupWebhooks(t)
	ctx := context.Background()
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(rcv.Close)
	secret, err := webhook.NewSecret()
	require.NoError(t, err)
	hook, err := b.store.CreateWebhook(ctx, store.Webhook{URL: rcv.URL + "/in",
		EventTypes: []string{"invoice.paid"}, Secret: secret, Description: xss}, "test")
	require.NoError(t, err)
	ev := int64(12)
	require.NoError(t, b.store.RecordDeliveries(ctx, []store.WebhookDelivery{
		{WebhookID: hook.ID, EventID: &ev, EventType: "invoice.paid", Attempt: 1, Status: 0, Error: "connection refused", LatencyMS: 3},
		{WebhookID: hook.ID, EventID: &ev, EventType: "invoice.paid", Attempt: 2, Status: 204, OK: true, LatencyMS: 7.4},
	}))
	page := "/webhooks/" + strconv.FormatInt(hook.ID, 10)

	admin := b.signIn(t, "admin@example.com", domain.RoleAdmin)
	status, body := admin.get("/webhooks")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<a href="/webhooks" aria-current="page">Webhooks</a>`)
	require.Contains(t, body, `<a href="`+page+`">`)
	require.NotContains(t, body, xss, "the description is escaped")
	require.Contains(t, body, "&lt;script&gt;")
	require.Contains(t, body, "invoice.paid")
	require.Contains(t, body, `<span class="badge ok">Active</span>`)

	status, body = admin.get(page)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "connection refused")
	require.Contains(t, body, `<span class="badge bad">no answer</span>`)
	require.Contains(t, body, `<span class="badge ok">204</span>`)
	require.Contains(t, body, "7 ms")
	require.NotContains(t, body, secret, "the secret is shown once, at creation, never here")

	res := admin.post(page+"/test", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, int32(1), hits.Load(), "the receiver got the test event")
	_, body = admin.get(page)
	require.Contains(t, body, "Test event delivered: the receiver answered 202")
	require.Contains(t, body, "webhook.test")

	cust := b.rows.Customer(t, storetest.Customer{})
	_, err = b.store.Pool.Exec(ctx, `UPDATE customers SET on_hold = true WHERE id = $1`, cust)
	require.NoError(t, err)
	last, err := b.store.LastEventID(ctx)
	require.NoError(t, err)
	_, err = b.store.Pool.Exec(ctx, `UPDATE webhooks SET last_delivered_id = $1`, last)
	require.NoError(t, err)
	res = admin.post(page+"/redeliver", url.Values{"from": {strconv.FormatInt(last, 10)}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	got, err := b.store.Webhook(ctx, hook.ID)
	require.NoError(t, err)
	require.Equal(t, last-1, got.LastDeliveredID, "delivery goes on from the event asked")
	_, body = admin.get(page)
	require.Contains(t, body, "Delivery starts again from event "+strconv.FormatInt(last, 10))

	for _, role := range []domain.Role{domain.RoleCreditManager, domain.RoleAgent, domain.RoleAuditor} {
		other := b.signIn(t, string(role)+"@example.com", role)
		status, body := other.get("/")
		require.Equal(t, http.StatusOK, status)
		require.NotContains(t, body, `href="/webhooks"`, "%s: no link", role)
		status, _ = other.get("/webhooks")
		require.Equal(t, http.StatusForbidden, status, role)
		status, _ = other.get(page)
		require.Equal(t, http.StatusForbidden, status, role)
		res := other.post(page+"/test", nil)
		require.Equal(t, http.StatusForbidden, res.StatusCode, role)
		res = other.post(page+"/redeliver", url.Values{"from": {"1"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode, role)
	}
	require.Equal(t, int32(1), hits.Load(), "refused posts sent nothing")
}
