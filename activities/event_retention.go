package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"

	"recoup/flow"
	"recoup/store"
)

// EventRetention deletes the event feed's old events: the EventRetention workflow's activity.
type EventRetention struct {
	Store *store.Store
	Days  int // RECOUP_EVENTS_RETENTION_DAYS; 0: keep for ever
	Now   func() time.Time
}

// DeleteOldEvents deletes, batch after batch (one transaction each, a
// heartbeat between), the events older than Days that every active
// subscription delivered.
func (r *EventRetention) DeleteOldEvents(ctx context.Context) (flow.EventsSwept, error) {
	var out flow.EventsSwept
	if r.Days <= 0 {
		return out, nil
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	before := now().AddDate(0, 0, -r.Days)
	for {
		deleted, through, err := r.Store.DeleteOldEvents(ctx, before)
		if err != nil {
			return out, err
		}
		out.Through = through
		if deleted == 0 {
			return out, nil
		}
		out.Deleted += deleted
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, out)
		}
	}
}
