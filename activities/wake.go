package activities

import (
	"context"

	"go.temporal.io/sdk/activity"

	"recoup/flow"
	"recoup/store"
)

// Waker wakes the Dunning workflows of accounts whose items changed.
type Waker struct {
	Store *store.Store
	Flow  *flow.Client
}

// wakeBatch is how many accounts are woken between two heartbeats.
const wakeBatch = 500

// refreshBatch is how many customers' totals are refreshed in one statement.
const refreshBatch = 2000

// WakeImported signal-starts the Dunning workflow of every account the import
// changed (recorded by the import, so the list is fixed). A retry resumes
// after the last batch reported in a heartbeat.
func (w *Waker) WakeImported(ctx context.Context, importID int64) (int, error) {
	ids, err := w.Store.TouchedCustomers(ctx, importID)
	if err != nil {
		return 0, err
	}
	return w.wake(ctx, ids)
}

// WakeOpen signal-starts the Dunning workflow of every account with open items.
// First it brings up to date the totals of the customers whose day has
// turned since they were computed (or whose next due date has passed): the
// worklist's bound on them holds for two days only (README, "Benchmark:
// worklist"), and no invoice write refreshes a quiet customer.
func (w *Waker) WakeOpen(ctx context.Context) (int, error) {
	for {
		n, err := w.Store.RefreshStaleTotals(ctx, refreshBatch)
		if err != nil {
			return 0, err
		}
		activity.RecordHeartbeat(ctx, 0)
		if n < refreshBatch {
			break
		}
	}
	ids, err := w.Store.CustomersWithOpenItems(ctx)
	if err != nil {
		return 0, err
	}
	return w.wake(ctx, ids)
}

// wake touches ids in batches, heartbeating how far it got; waking an
// account twice is harmless (it evaluates again).
func (w *Waker) wake(ctx context.Context, ids []int64) (int, error) {
	done := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &done)
	}
	for done < len(ids) {
		end := min(done+wakeBatch, len(ids))
		if _, err := w.Flow.Wake(ctx, ids[done:end]); err != nil {
			return done, err
		}
		done = end
		activity.RecordHeartbeat(ctx, done)
	}
	return done, nil
}
