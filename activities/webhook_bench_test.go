package activities_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/webhook"
)

// BenchmarkDeliverWebhookBatch is the delivery activity alone (no Temporal):
// b.N pages of events to a local receiver in one batch, for profiling.
func BenchmarkDeliverWebhookBatch(b *testing.B) {
	pool := storetest.NewPool(b)
	st := &store.Store{Pool: pool}
	f := storetest.NewFactory(pool)
	cust := f.Customer(b, storetest.Customer{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	secret, err := webhook.NewSecret()
	require.NoError(b, err)
	ctx := context.Background()
	hook, err := st.CreateWebhook(ctx, store.Webhook{URL: srv.URL, Secret: secret}, "bench")
	require.NoError(b, err)
	_, err = pool.Exec(ctx, `INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor,
		erp_open_minor, erp_import_id, open_minor, status)
		SELECT 'B' || g, $1, 'F-' || g, 'invoice', DATE '2026-09-01', DATE '2026-10-01', 'EUR', 100, 100, 0, 100, 'open'
		FROM generate_series(1, $2::int) g`, cust, b.N*activities.WebhookPageSize)
	require.NoError(b, err)
	acts := &activities.Webhooks{Store: st, Targets: webhook.Targets{AllowPrivate: true}}
	b.ResetTimer()
	delivered := 0
	for delivered < b.N*activities.WebhookPageSize {
		out, err := acts.DeliverWebhook(ctx, flow.DeliverInput{WebhookID: hook.ID})
		require.NoError(b, err)
		require.Positive(b, out.Delivered)
		delivered += out.Delivered
	}
	b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "events/s")
}
