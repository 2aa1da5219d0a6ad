package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
)

// The sweep deletes what is older than its days, batch after batch; 0 days keeps everything.
func TestDeleteOldEventsKeepsTheDaysItIsGiven(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		days int
		want flow.EventsSwept
	}{
		{"90 days", 90, flow.EventsSwept{Deleted: 3, Through: 3}},
		{"30 days", 30, flow.EventsSwept{Deleted: 5, Through: 5}},
		{"for ever", 0, flow.EventsSwept{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool := storetest.NewPool(t)
			st := &store.Store{Pool: pool}
			cust := storetest.NewFactory(pool).Customer(t, storetest.Customer{})
			ctx := context.Background()
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			// Five transactions of one event each: three 100 days old, two 50.
			for i := range 5 {
				age := 100
				if i >= 3 {
					age = 50
				}
				_, err := pool.Exec(ctx, `UPDATE customers SET on_hold = NOT on_hold WHERE id = $1`, cust)
				require.NoError(t, err)
				_, err = pool.Exec(ctx, `UPDATE events e SET occurred_at = $1 FROM event_commits k WHERE k.xid = e.xid AND k.last_id = $2`,
					now.AddDate(0, 0, -age), i+1)
				require.NoError(t, err)
			}
			r := &activities.EventRetention{Store: st, Days: tc.days, Now: func() time.Time { return now }}
			got, err := r.DeleteOldEvents(ctx)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			last, err := st.LastEventID(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 5, last, "the feed's top stays")
		})
	}
}
