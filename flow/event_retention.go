package flow

import (
	"context"
	"time"
)

// Retention of the event feed: one workflow per namespace deletes, every
// EventRetentionEvery, the events older than RECOUP_EVENTS_RETENTION_DAYS
// that every active webhook subscription delivered.
const (
	WorkflowEventRetention  = "EventRetention"
	ActivityDeleteOldEvents = "DeleteOldEvents"
)

// EventRetentionWorkflowID names the one retention sweep of a namespace.
const EventRetentionWorkflowID = "events/retention"

// EventRetentionEvery is the sweep's period.
const EventRetentionEvery = 24 * time.Hour

// EventRetentionInput paces the sweep.
type EventRetentionInput struct {
	Every time.Duration `json:"every"`
}

// EventsSwept says what one sweep did.
type EventsSwept struct {
	Deleted int64 `json:"deleted"` // events deleted
	Through int64 `json:"through"` // every id up to it is deleted now (0: none ever)
}

// StartEventRetention makes sure the namespace's retention sweep runs (a running one is kept).
func (f *Client) StartEventRetention(ctx context.Context, in EventRetentionInput) error {
	return f.startKept(ctx, EventRetentionWorkflowID, WorkflowEventRetention, in)
}
