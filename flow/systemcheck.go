package flow

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"

	"recoup/domain"
)

// SystemCheckWorkflowID names one run of the system check.
func SystemCheckWorkflowID(runID string) string { return "system-check/" + runID }

// SystemCheckResult is what a system check saw.
type SystemCheckResult struct {
	Counts   domain.Counts `json:"counts"`
	WorkerAt time.Time     `json:"worker_at"`
}

// SystemCheckRun is one system check: which workflow run answered what.
type SystemCheckRun struct {
	WorkflowID string
	RunID      string
	Result     SystemCheckResult
}

// RunSystemCheck runs the SystemCheck workflow under runID and waits for its answer.
func (f *Client) RunSystemCheck(ctx context.Context, runID string) (SystemCheckRun, error) {
	if err := f.ready(); err != nil {
		return SystemCheckRun{}, err
	}
	run, err := f.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: SystemCheckWorkflowID(runID), TaskQueue: TaskQueue},
		WorkflowSystemCheck)
	if err != nil {
		return SystemCheckRun{}, err
	}
	out := SystemCheckRun{WorkflowID: run.GetID(), RunID: run.GetRunID()}
	return out, run.Get(ctx, &out.Result)
}
