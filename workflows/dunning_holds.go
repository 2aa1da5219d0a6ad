package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/flow"
)

// setupHolds registers the updates that hold one invoice out of the
// reminders and lift that hold. The hold lives in Postgres, where the
// snapshot reads it (Item.Hold), so nothing is carried in the workflow's
// state and continue-as-new needs nothing more: the handler records it
// through an activity, which refuses an invoice not open, already held or
// not held (the ledger answers, under a lock), then evaluates again.
func (d *dunningRun) setupHolds(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdateHoldInvoice, d.onHoldInvoice,
		workflow.UpdateHandlerOptions{Validator: d.validateHoldInvoice}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdateReleaseInvoice, d.onReleaseInvoice,
		workflow.UpdateHandlerOptions{Validator: d.validateReleaseInvoice})
}

func (d *dunningRun) validateHoldInvoice(_ workflow.Context, req flow.HoldInvoiceRequest) error {
	return d.validateHoldChange(req.CustomerID, req.InvoiceID, req.Reason, req.Key, "a hold")
}

func (d *dunningRun) validateReleaseInvoice(_ workflow.Context, req flow.ReleaseInvoiceRequest) error {
	return d.validateHoldChange(req.CustomerID, req.InvoiceID, req.Reason, req.Key, "a release")
}

// validateHoldChange is what both updates require; what names the change
// in the message about its key.
func (d *dunningRun) validateHoldChange(customerID, invoiceID int64, reason, key, what string) error {
	switch {
	case customerID != d.in.CustomerID:
		return errors.New("the invoice belongs to another account")
	case invoiceID <= 0:
		return errors.New("invoice_id is required")
	case reason == "":
		return errors.New("reason is required")
	case key == "":
		return errors.New(what + " needs its idempotency key")
	}
	return nil
}

func (d *dunningRun) onHoldInvoice(ctx workflow.Context, req flow.HoldInvoiceRequest) (flow.InvoiceHold, error) {
	return d.changeHold(ctx, accounts.HoldInvoice, req)
}

func (d *dunningRun) onReleaseInvoice(ctx workflow.Context, req flow.ReleaseInvoiceRequest) (flow.InvoiceHold, error) {
	return d.changeHold(ctx, accounts.ReleaseInvoice, req)
}

// changeHold records a hold or its release through activity and evaluates
// again when it was recorded.
func (d *dunningRun) changeHold(ctx workflow.Context, activity, req any) (flow.InvoiceHold, error) {
	var h flow.InvoiceHold
	err := workflow.ExecuteActivity(holdCtx(ctx), activity, req).Get(ctx, &h)
	return h, d.afterHoldChange(err)
}

// holdCtx bounds the activity: an update must answer.
func holdCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 5}})
}

// afterHoldChange evaluates again when the change was recorded, and answers
// the ledger's refusal as the update's own error (its message, not the
// activity's wrapping).
func (d *dunningRun) afterHoldChange(err error) error {
	if err == nil {
		d.dirty = true
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return temporal.NewApplicationError(app.Message(), app.Type())
	}
	return err
}
