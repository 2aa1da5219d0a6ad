package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/webhook"
)

// Redelivering from an event retention deleted is refused, saying the
// earliest id possible; from there it is taken. No Temporal: the cursor
// moves, delivery starts when a worker does.
func TestRedeliverIsRefusedBehindTheRetentionHorizon(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	a := app.New(st, nil, nil, app.WithWebhookTargets(webhook.Targets{AllowPrivate: true}))
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}
	ctx := context.Background()
	cust := storetest.NewFactory(pool).Customer(t, storetest.Customer{})
	created, err := a.CreateWebhook(ctx, admin, app.WebhookRequest{URL: "http://127.0.0.1:9/in"})
	require.NoError(t, err)
	for range 4 {
		_, err := pool.Exec(ctx, `UPDATE customers SET on_hold = NOT on_hold WHERE id = $1`, cust)
		require.NoError(t, err)
	}
	_, err = pool.Exec(ctx, `UPDATE events e SET occurred_at = now() - interval '100 days' FROM event_commits k
		WHERE k.xid = e.xid AND k.last_id <= 2`)
	require.NoError(t, err)
	moved, err := st.AdvanceWebhook(ctx, created.ID, created.CursorVersion, 4) // delivered all
	require.NoError(t, err)
	require.True(t, moved)
	_, through, err := st.DeleteOldEvents(ctx, time.Now().AddDate(0, 0, -90))
	require.NoError(t, err)
	require.EqualValues(t, 2, through)

	for _, tc := range []struct {
		from int64
		err  string
	}{
		{1, "from: 1: events up to 2 were deleted by retention (RECOUP_EVENTS_RETENTION_DAYS); redeliver from 3 at the earliest"},
		{2, "from: 2: events up to 2 were deleted by retention"},
		{3, ""},
	} {
		w, err := a.RedeliverWebhook(ctx, admin, created.ID, tc.from)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err)
			require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.from-1, w.LastDeliveredID)
	}
}
