package flow

import (
	"context"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// The credit managers' daily digest email: one workflow per namespace sleeps
// until the digest hour (UTC) and sends each opted-in user's digest.
const (
	WorkflowDigest      = "Digest"
	ActivitySendDigests = "SendDigests"
)

// DigestWorkflowID names the one digest workflow of a namespace.
const DigestWorkflowID = "digest/daily"

// DigestInput paces the digest.
type DigestInput struct {
	Hour int `json:"hour"` // 0-23, UTC
}

// StartDigest makes sure the namespace's daily digest runs (a running one is
// kept as it is, with the hour it was started with).
func (f *Client) StartDigest(ctx context.Context, in DigestInput) error {
	if err := f.ready(); err != nil {
		return err
	}
	_, err := f.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: DigestWorkflowID, TaskQueue: TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, WorkflowDigest, in)
	return err
}
