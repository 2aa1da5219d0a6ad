package flow

import "context"

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
	return f.startKept(ctx, DigestWorkflowID, WorkflowDigest, in)
}
