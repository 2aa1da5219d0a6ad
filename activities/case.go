package activities

import (
	"context"

	"recoup/flow"
	"recoup/store"
)

// Cases are the Case workflow's activities: each records in Postgres what
// the workflow decided, and is idempotent (a retry finds its own write).
type Cases struct {
	Store *store.Store
}

// CaseAlert records an SLA threshold of a case: a task for its owner (half
// the SLA) or its department's manager (the SLA, twice the SLA) and the
// case's SLA state. It answers the task's id (0: the case was no longer open).
func (c *Cases) CaseAlert(ctx context.Context, in flow.CaseAlertInput) (int64, error) {
	id, err := c.Store.RecordCaseAlert(ctx, in)
	return id, refused(err)
}

// DecideCase records the decision of the case-decide update and what it
// does: the dispute's invoices dunned again or held for their credit note,
// the customer's new credit limit.
func (c *Cases) DecideCase(ctx context.Context, in flow.CaseDecision) (flow.DecidedCase, error) {
	out, err := c.Store.DecideCase(ctx, in)
	return out, refused(err)
}

// SetCaseStatus records the case-status update: open or waiting_customer.
func (c *Cases) SetCaseStatus(ctx context.Context, in flow.CaseStatusChange) error {
	return refused(c.Store.SetCaseStatus(ctx, in))
}

// ReopenCase records the case-reopen update.
func (c *Cases) ReopenCase(ctx context.Context, in flow.CaseReopen) error {
	return refused(c.Store.ReopenCase(ctx, in))
}

// CloseCase closes a decided case whose reopening window has passed.
func (c *Cases) CloseCase(ctx context.Context, in flow.CloseCaseInput) error {
	return refused(c.Store.CloseCase(ctx, in.CaseID, in.By))
}
