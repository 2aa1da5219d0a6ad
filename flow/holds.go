package flow

import (
	"context"

	"recoup/store"
)

// Updates of the Dunning workflow that hold one invoice out of the reminders
// and lift that hold. The handler records the change through an activity
// (ActivityHoldInvoice, ActivityReleaseInvoice) and evaluates the account again.
const (
	UpdateHoldInvoice    = "hold-invoice"
	UpdateReleaseInvoice = "release-invoice"
)

// Activities of invoice holds and of the automatic credit-hold release.
const (
	ActivityHoldInvoice    = "HoldInvoice"
	ActivityReleaseInvoice = "ReleaseInvoice"
)

// HoldInvoiceRequest is the hold-invoice update's argument: the hold to
// record (its Key makes the activity idempotent).
type HoldInvoiceRequest = store.HoldWrite

// ReleaseInvoiceRequest is the release-invoice update's argument.
type ReleaseInvoiceRequest = store.ReleaseWrite

// InvoiceHold is what both updates answer: the hold as recorded.
type InvoiceHold = store.InvoiceHold

// HoldInvoice holds an invoice through the account's running workflow;
// running is false (and nothing happened) when none runs. A refusal (already
// held, not open) is a domain CodeConflict error.
func (f *Client) HoldInvoice(ctx context.Context, req HoldInvoiceRequest) (h InvoiceHold, running bool, err error) {
	running, err = f.updateIfRunning(ctx, req.CustomerID, UpdateHoldInvoice, req, &h)
	return h, running, err
}

// ReleaseInvoice lifts an invoice's hold through the account's running
// workflow; running as in HoldInvoice.
func (f *Client) ReleaseInvoice(ctx context.Context, req ReleaseInvoiceRequest) (h InvoiceHold, running bool, err error) {
	running, err = f.updateIfRunning(ctx, req.CustomerID, UpdateReleaseInvoice, req, &h)
	return h, running, err
}
