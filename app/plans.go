package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/store"
)

// PlanRequest is a payment plan as a person or system gives it: what the
// covered invoices owe, split into dated instalments that add up to it exactly.
type PlanRequest struct {
	Currency    string              `json:"currency"`    // ISO 4217; the covered invoices' currency
	InvoiceIDs  []int64             `json:"invoice_ids"` // empty: every open invoice no promise or plan holds
	Instalments []InstalmentRequest `json:"instalments"`
	Note        string              `json:"note"`
}

// InstalmentRequest is one dated part of a plan.
type InstalmentRequest struct {
	Date        string `json:"date"` // YYYY-MM-DD, the customer's local date
	AmountMinor int64  `json:"amount_minor"`
}

// maxInstalments bounds a plan's schedule.
const maxInstalments = 60

// RecordedPlan is a plan just recorded, and whether its account was woken.
type RecordedPlan struct {
	store.Plan
	Woken Woken
	// Notices says why the confirmation and reminders did not start yet ("": started).
	Notices string
}

// RecordPlan records a payment plan, starts its customer notices (a
// confirmation with the schedule, reminders before the instalments) and tells the account's workflow, which
// holds the planned invoices while the plan holds and checks each
// instalment after its date plus the entity's tolerance days: short by more
// than the tolerance amount breaks the plan (an escalation), nothing left
// open completes it.
func (a *App) RecordPlan(ctx context.Context, who domain.Principal, customerID int64, req PlanRequest) (RecordedPlan, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return RecordedPlan{}, err
	}
	np := store.NewPlan{CustomerID: customerID, InvoiceIDs: req.InvoiceIDs, Note: strings.TrimSpace(req.Note), Actor: who.Actor()}
	var errs []error
	cur, err := currencyField(req.Currency)
	errs = append(errs, err)
	np.Currency = cur
	switch n := len(req.Instalments); {
	case n == 0:
		errs = append(errs, domain.FieldError("instalments", "required: at least one dated instalment"))
	case n > maxInstalments:
		errs = append(errs, domain.FieldError("instalments", "at most %d", maxInstalments))
	}
	var prev dunning.Date
	for i, in := range req.Instalments {
		d, err := dunning.ParseDate(in.Date)
		switch {
		case err != nil:
			errs = append(errs, domain.FieldError("instalments", "instalment %d: date %q: want YYYY-MM-DD", i+1, in.Date))
		case i > 0 && !d.After(prev):
			errs = append(errs, domain.FieldError("instalments", "instalment %d: %s is not after the one before", i+1, d))
		case in.AmountMinor <= 0:
			errs = append(errs, domain.FieldError("instalments", "instalment %d: amount_minor must be more than 0", i+1))
		}
		prev = d
		np.Instalments = append(np.Instalments, store.Instalment{Date: d, Amount: in.AmountMinor})
	}
	if utf8.RuneCountInString(np.Note) > maxPromiseNote {
		errs = append(errs, domain.FieldError("note", "at most %d characters", maxPromiseNote))
	}
	if err := domain.Invalid(errs...); err != nil {
		return RecordedPlan{}, err
	}
	p, err := a.store.CreatePlan(ctx, np)
	if err != nil {
		return RecordedPlan{}, err
	}
	return RecordedPlan{Plan: p, Woken: a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}}),
		Notices: a.noticesStarted(ctx, flow.NoticePlan, p.ID, customerID)}, nil
}

// Plans lists the customer's payment plans with their instalments, newest first.
func (a *App) Plans(ctx context.Context, who domain.Principal, customerID int64) ([]store.Plan, error) {
	if err := a.visibleCustomer(ctx, who, auth.AccountsRead, customerID); err != nil {
		return nil, err
	}
	return a.store.Plans(ctx, customerID)
}

// CancelPlan ends an open payment plan, saying why: its invoices are dunned
// again at once.
func (a *App) CancelPlan(ctx context.Context, who domain.Principal, id int64, reason string) (CancelledPromise, error) {
	if err := allow(who, auth.DunningControl); err != nil {
		return CancelledPromise{}, err
	}
	customerID, err := a.store.PlanCustomer(ctx, id)
	if err != nil {
		return CancelledPromise{}, err
	}
	if err := a.store.CheckCustomer(ctx, perimeter(who), customerID); err != nil {
		return CancelledPromise{}, domain.Errorf(domain.CodeNotFound, "payment plan %d not found", id)
	}
	reason, err = cancelReason(reason, "plan")
	if err != nil {
		return CancelledPromise{}, err
	}
	if _, err := a.store.CancelPlan(ctx, id, reason, who.Actor()); err != nil {
		return CancelledPromise{}, err
	}
	return CancelledPromise{ID: id, CustomerID: customerID, Woken: a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})}, nil
}
