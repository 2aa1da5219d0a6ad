package activities

import (
	"context"

	"go.temporal.io/sdk/activity"

	"recoup/store"
)

// Toucher signal-starts accounts' Dunning workflows (dunningctl.Control; an
// interface here because the workflows package imports this one).
type Toucher interface {
	Touch(ctx context.Context, customerIDs []int64) (int, error)
}

// Waker wakes the Dunning workflows of accounts whose items changed.
type Waker struct {
	Store   *store.Store
	Control Toucher
}

// wakeBatch is how many accounts are woken between two heartbeats.
const wakeBatch = 500

// WakeImported signal-starts the Dunning workflow of every account the import
// touched. A retry resumes after the last batch reported in a heartbeat;
// waking an account twice is harmless (it evaluates again).
func (w *Waker) WakeImported(ctx context.Context, importID int64) (int, error) {
	ids, err := w.Store.TouchedCustomers(ctx, importID)
	if err != nil {
		return 0, err
	}
	done := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &done)
	}
	for done < len(ids) {
		end := min(done+wakeBatch, len(ids))
		if _, err := w.Control.Touch(ctx, ids[done:end]); err != nil {
			return done, err
		}
		done = end
		activity.RecordHeartbeat(ctx, done)
	}
	return done, nil
}
