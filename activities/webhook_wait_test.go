package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/flow"
	"recoup/store"
)

// A batch that finds nothing waits for new events: with the bell listening
// an event committed meanwhile goes out at once, long before the idle pace;
// with no bell it is found by polling at in.Idle; nothing coming, the batch
// answers "nothing new" when its wait is over.
func TestAnIdleBatchWaitsForTheNextEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		bell      bool
		idle      time.Duration
		write     bool
		delivered int
		within    time.Duration // the batch answers within this
		atLeast   time.Duration // and not before
	}{
		{"told by the bell", true, 30 * time.Second, true, 1, 5 * time.Second, 0},
		{"no bell: polls at idle", false, 700 * time.Millisecond, true, 1, 5 * time.Second, 0},
		{"nothing comes", true, 30 * time.Second, false, 0, 10 * time.Second, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := webhookSetup(t, nil)
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			if tc.bell {
				bell := activities.NewEventBell()
				go bell.Run(ctx, b.st, nil)
				b.acts.Bell = bell
				require.Eventually(t, func() bool { return bell.Listening() }, 10*time.Second, 10*time.Millisecond)
			}
			if tc.write {
				time.AfterFunc(300*time.Millisecond, func() {
					_, _ = b.st.Pool.Exec(ctx, `UPDATE customers SET on_hold = NOT on_hold WHERE id = $1`, b.cust)
				})
			}
			start := time.Now()
			out, err := b.acts.DeliverWebhook(ctx, flow.DeliverInput{WebhookID: b.hook.ID, Wait: 2 * time.Second, Idle: tc.idle})
			took := time.Since(start)
			require.NoError(t, err)
			require.Equal(t, flow.WebhookBatch{Delivered: tc.delivered}, out)
			require.Less(t, took, tc.within)
			require.GreaterOrEqual(t, took, tc.atLeast)
			if tc.write {
				require.Len(t, b.rcv.took, 1)
			}
		})
	}
}

// A subscription whose cursor is behind what retention deleted (an admin
// reactivated it long after) does not skip the events: it is marked
// failing, saying which were deleted, and the admins are told.
func TestASubscriptionBehindTheRetentionHorizonFailsWithWhy(t *testing.T) {
	t.Parallel()
	b := webhookSetup(t, nil)
	ctx := context.Background()
	b.toggle(t, 3)
	_, err := b.st.Pool.Exec(ctx, `UPDATE events SET occurred_at = now() - interval '100 days'`)
	require.NoError(t, err)
	// Retention keeps what an active subscription has not delivered: this one is off meanwhile.
	_, err = b.st.Pool.Exec(ctx, `UPDATE webhooks SET state = 'disabled' WHERE id = $1`, b.hook.ID)
	require.NoError(t, err)
	deleted, through, err := b.st.DeleteOldEvents(ctx, time.Now().AddDate(0, 0, -90))
	require.NoError(t, err)
	require.EqualValues(t, 3, deleted)
	_, err = b.st.Pool.Exec(ctx, `UPDATE webhooks SET state = 'active' WHERE id = $1`, b.hook.ID)
	require.NoError(t, err)

	out := b.deliver(t, 0)
	require.True(t, out.Stopped)
	h, err := b.st.Webhook(ctx, b.hook.ID)
	require.NoError(t, err)
	require.Equal(t, store.WebhookFailing, h.State)
	require.Contains(t, h.StateReason, "were deleted by retention")
	require.Contains(t, h.StateReason, "after="+itoa(through))
	require.Empty(t, b.rcv.took, "nothing sent out of order")
	var told int
	require.NoError(t, b.st.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind = 'webhook_failing'`).Scan(&told))
	require.Equal(t, 1, told)
}
