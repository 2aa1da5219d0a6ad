package flow

import (
	"context"
	"strconv"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// WakeAccountsWorkflowID names the wake-up run of one import.
func WakeAccountsWorkflowID(importID int64) string {
	return "wake/import-" + strconv.FormatInt(importID, 10)
}

// SweepWorkflowID names the one sweep of a namespace.
const SweepWorkflowID = "sweep/open-accounts"

// SweepInput paces the sweep.
type SweepInput struct {
	Every      time.Duration `json:"every"`
	FirstAfter time.Duration `json:"first_after,omitempty"` // 0: sweep at once
}

// StartWakeImport starts the durable wake-up of every account an import
// touched (the WakeAccounts workflow) and returns its workflow ID. A run
// already going for the import is that wake-up; a closed one (e.g. a database
// reset under the same namespace) does not stop a new one: waking twice is harmless.
func (f *Client) StartWakeImport(ctx context.Context, importID int64) (string, error) {
	id := WakeAccountsWorkflowID(importID)
	return id, f.start(ctx, client.StartWorkflowOptions{ID: id,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, WorkflowWakeAccounts, importID)
}

// StartSweep makes sure the namespace's sweep of open accounts runs (one per
// namespace: a running sweep is kept as it is).
func (f *Client) StartSweep(ctx context.Context, in SweepInput) error {
	return f.startKept(ctx, SweepWorkflowID, WorkflowSweep, in)
}
