package app

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
)

// HoldRequest takes one invoice out of the reminders: through Until (the
// account's local date) when set, else until released.
type HoldRequest struct {
	Until  *dunning.Date `json:"until"`
	Reason string        `json:"reason"`
}

// ReleaseRequest lifts a hold (an invoice's or the account's credit hold).
type ReleaseRequest struct {
	Reason string `json:"reason"`
}

// maxReason bounds a free-text reason.
const maxReason = 500

func validReason(reason string) (string, error) {
	r := strings.TrimSpace(reason)
	switch {
	case r == "":
		return "", domain.FieldError("reason", "required: say why")
	case len(r) > maxReason:
		return "", domain.FieldError("reason", "at most %d characters", maxReason)
	}
	return r, nil
}

// HoldInvoice holds one invoice: the rest of the account goes on. The hold
// goes through the account's Dunning workflow (an update, which records it
// and evaluates the account again at once); when no workflow runs it is
// written directly and the account is woken, so a hold never waits for
// Temporal to be reachable. Already held, or not open: CodeConflict.
func (a *App) HoldInvoice(ctx context.Context, who domain.Principal, invoiceID int64, req HoldRequest) (store.InvoiceHold, error) {
	t, err := a.holdTarget(ctx, who, invoiceID)
	if err != nil {
		return store.InvoiceHold{}, err
	}
	reason, err := validReason(req.Reason)
	if err != nil {
		return store.InvoiceHold{}, err
	}
	if req.Until != nil {
		// The account's local date, as the planner reads the hold's date.
		if today := (dunning.Account{TimeZone: t.TimeZone}).Today(time.Now()); req.Until.Before(today) {
			return store.InvoiceHold{}, domain.FieldError("until", "%s is in the past (today is %s for this customer)", req.Until, today)
		}
	}
	switch {
	case !t.Open:
		return store.InvoiceHold{}, domain.Errorf(domain.CodeConflict, "invoice %s is not open: there is nothing to hold", t.Number)
	case t.Hold != nil:
		return store.InvoiceHold{}, domain.Errorf(domain.CodeConflict, "invoice %s is already held (since %s, by %s)",
			t.Number, t.Hold.HeldAt.UTC().Format(time.DateOnly), t.Hold.HeldBy)
	}
	w := store.HoldWrite{CustomerID: t.CustomerID, InvoiceID: invoiceID, Until: req.Until, Reason: reason, By: who.Actor(), Key: rand.Text()}
	return changeHold(ctx, a, t.CustomerID, w, a.flow.HoldInvoice, a.store.HoldInvoice)
}

// ReleaseInvoice lifts an invoice's hold, the same way HoldInvoice put it.
// Not held: CodeConflict.
func (a *App) ReleaseInvoice(ctx context.Context, who domain.Principal, invoiceID int64, req ReleaseRequest) (store.InvoiceHold, error) {
	t, err := a.holdTarget(ctx, who, invoiceID)
	if err != nil {
		return store.InvoiceHold{}, err
	}
	reason, err := validReason(req.Reason)
	if err != nil {
		return store.InvoiceHold{}, err
	}
	if t.Hold == nil {
		return store.InvoiceHold{}, domain.Errorf(domain.CodeConflict, "invoice %s is not held", t.Number)
	}
	w := store.ReleaseWrite{CustomerID: t.CustomerID, InvoiceID: invoiceID, Reason: reason, By: who.Actor(), Key: rand.Text()}
	return changeHold(ctx, a, t.CustomerID, w, a.flow.ReleaseInvoice, a.store.ReleaseInvoice)
}

// changeHold sends w through the account's workflow, or, when none runs,
// writes it and wakes the account.
func changeHold[W any](ctx context.Context, a *App, customerID int64, w W,
	update func(context.Context, W) (store.InvoiceHold, bool, error),
	write func(context.Context, W) (store.InvoiceHold, error)) (store.InvoiceHold, error) {
	if a.flow != nil {
		h, running, err := update(ctx, w)
		if running || err != nil {
			return h, err
		}
	}
	h, err := write(ctx, w)
	if err == nil {
		a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})
	}
	return h, err
}

// InvoiceHolds are the customer's active invoice holds, by invoice.
func (a *App) InvoiceHolds(ctx context.Context, who domain.Principal, customerID int64) (map[int64]store.InvoiceHold, error) {
	if err := a.visibleCustomer(ctx, who, auth.AccountsRead, customerID); err != nil {
		return nil, err
	}
	return a.store.InvoiceHolds(ctx, customerID)
}

func (a *App) holdTarget(ctx context.Context, who domain.Principal, invoiceID int64) (store.HoldTarget, error) {
	if err := allow(who, auth.DunningControl); err != nil {
		return store.HoldTarget{}, err
	}
	return a.store.HoldTarget(ctx, perimeter(who), invoiceID)
}

// ReleaseCreditHold lifts the account's credit hold (put by a scenario's
// credit-hold step), journaled with the reason. Not on hold: CodeConflict.
// The account is woken: its status changed.
func (a *App) ReleaseCreditHold(ctx context.Context, who domain.Principal, customerID int64, req ReleaseRequest) error {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return err
	}
	reason, err := validReason(req.Reason)
	if err != nil {
		return err
	}
	if _, err := a.store.ReleaseCreditHold(ctx, customerID, reason, who.Actor(), false); err != nil {
		return err
	}
	a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})
	return nil
}
