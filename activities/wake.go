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
	// The import changed these accounts' outstanding: their credit limit
	// thresholds first (idempotent: a retry raises nothing twice).
	if _, err := w.Store.EvaluateLimitUse(ctx, ids, false); err != nil {
		return 0, err
	}
	return w.wake(ctx, ids)
}

// WakeOpen signal-starts the Dunning workflow of every account with open
// items, then the customer notices of open promises and plans that never
// started (recorded while Temporal was away: see flow.Client.StartNotice).
// First it evaluates every account's credit limit thresholds, then brings up to date the totals of the customers whose day has
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
	// The catch-up of the credit limit thresholds of every account with a
	// limit (one statement): what a lost wake-up or a direct write missed.
	if _, err := w.Store.EvaluateLimitUse(ctx, nil, true); err != nil {
		return 0, err
	}
	activity.RecordHeartbeat(ctx, 0)
	ids, err := w.Store.CustomersWithOpenItems(ctx)
	if err != nil {
		return 0, err
	}
	n, err := w.wake(ctx, ids)
	if err != nil {
		return n, err
	}
	return n, w.startNotices(ctx, n)
}

// startNotices starts the notice workflow of every open promise and plan
// that has none; a running or completed one is left as it is. Its heartbeats
// repeat the accounts woken (done), so a retry does not wake them again.
func (w *Waker) startNotices(ctx context.Context, done int) error {
	open, err := w.Store.OpenNotices(ctx)
	if err != nil {
		return err
	}
	for i, o := range open {
		kind := flow.NoticePromise
		if o.Plan {
			kind = flow.NoticePlan
		}
		if err := w.Flow.StartNotice(ctx, flow.NoticeInput{Kind: kind, ID: o.ID, CustomerID: o.CustomerID}); err != nil {
			return err
		}
		if i%wakeBatch == 0 {
			activity.RecordHeartbeat(ctx, done)
		}
	}
	return nil
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
