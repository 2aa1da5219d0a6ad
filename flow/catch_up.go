package flow

import (
	"context"
	"time"
)

// The catch-up of the workflow starts committed changes still owe Temporal
// (store.OutboxKind): one workflow per namespace runs it every CatchUpEvery.
const (
	WorkflowCatchUp = "CatchUp"
	ActivityCatchUp = "CatchUpTemporal"
)

// CatchUpWorkflowID names the one catch-up of a namespace.
const CatchUpWorkflowID = "catch-up/temporal-outbox"

// CatchUpEvery is how long a start owed while Temporal was away waits, at
// most, once Temporal is back (plus the owing process's grace).
const CatchUpEvery = 2 * time.Minute

// CatchUpInput paces the catch-up.
type CatchUpInput struct {
	Every time.Duration `json:"every"`
}

// CaughtUp says what one catch-up did.
type CaughtUp struct {
	Started int `json:"started"` // starts Temporal took (or no longer needed)
	Failed  int `json:"failed"`  // still owed, with why recorded on their row
}

// StartCatchUp makes sure the namespace's catch-up runs (a running one is kept).
func (f *Client) StartCatchUp(ctx context.Context, in CatchUpInput) error {
	return f.startKept(ctx, CatchUpWorkflowID, WorkflowCatchUp, in)
}
