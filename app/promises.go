package app

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/money"
	"recoup/store"
)

// PromiseRequest is a promise to pay as a person or system gives it: an
// amount by a date, for named invoices or the oldest open ones.
type PromiseRequest struct {
	AmountMinor int64   `json:"amount_minor"` // integer minor units of Currency
	Currency    string  `json:"currency"`     // ISO 4217; the covered invoices' currency
	Date        string  `json:"date"`         // YYYY-MM-DD, the customer's local date; today or later
	InvoiceIDs  []int64 `json:"invoice_ids"`  // the invoices covered, or:
	OldestFirst bool    `json:"oldest_first"` // the open invoices, oldest due first, until they cover the amount
	Note        string  `json:"note"`
	Source      string  `json:"source"` // call, email, portal, api
}

// maxPromiseNote bounds a promise's note, in characters.
const maxPromiseNote = 2000

// RecordedPromise is a promise just recorded, and whether its account was woken.
type RecordedPromise struct {
	store.Promise
	Woken Woken
	// Notices says why the reminder before its date did not start yet ("": started).
	Notices string
}

// RecordPromise records a promise to pay of the customer and tells the
// account's Dunning workflow, which holds the covered invoices through the
// promise date plus the entity's grace days, then checks what was paid. The
// amount must be positive and at most the covered invoices' open total; the
// invoices must be the customer's, open, and not held by another open promise.
func (a *App) RecordPromise(ctx context.Context, who domain.Principal, customerID int64, req PromiseRequest) (RecordedPromise, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return RecordedPromise{}, err
	}
	np, err := newPromise(who, customerID, req)
	if err != nil {
		return RecordedPromise{}, err
	}
	p, err := a.store.CreatePromise(ctx, np)
	if err != nil {
		return RecordedPromise{}, err
	}
	return RecordedPromise{Promise: p, Woken: a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}}),
		Notices: a.noticesStarted(ctx, flow.NoticePromise, p.ID, customerID)}, nil
}

// newPromise checks what can be checked without the ledger.
func newPromise(who domain.Principal, customerID int64, req PromiseRequest) (store.NewPromise, error) {
	np := store.NewPromise{CustomerID: customerID, InvoiceIDs: req.InvoiceIDs, Note: strings.TrimSpace(req.Note),
		Source: req.Source, Actor: who.Actor()}
	var errs []error
	cur, err := currencyField(req.Currency)
	errs = append(errs, err)
	np.Amount = money.Money{Minor: req.AmountMinor, Currency: cur}
	if req.AmountMinor <= 0 {
		errs = append(errs, domain.FieldError("amount_minor", "must be more than 0"))
	}
	if req.Date == "" {
		errs = append(errs, domain.FieldError("date", "required: the date the customer will pay by (YYYY-MM-DD)"))
	} else if np.Date, err = dunning.ParseDate(req.Date); err != nil {
		errs = append(errs, domain.FieldError("date", "%q: want YYYY-MM-DD", req.Date))
	}
	switch {
	case req.OldestFirst && len(req.InvoiceIDs) > 0:
		errs = append(errs, domain.FieldError("invoice_ids", "name the invoices or ask for the oldest first, not both"))
	case !req.OldestFirst && len(req.InvoiceIDs) == 0:
		errs = append(errs, domain.FieldError("invoice_ids", "required: name the invoices, or set oldest_first"))
	}
	if np.Source == "" {
		np.Source = "api"
	} else if !slices.Contains(store.PromiseSources, np.Source) {
		errs = append(errs, domain.FieldError("source", "%q: want one of %v", np.Source, store.PromiseSources))
	}
	if utf8.RuneCountInString(np.Note) > maxPromiseNote {
		errs = append(errs, domain.FieldError("note", "at most %d characters", maxPromiseNote))
	}
	return np, domain.Invalid(errs...)
}

// Promises lists the customer's promises to pay, newest first.
func (a *App) Promises(ctx context.Context, who domain.Principal, customerID int64) ([]store.Promise, error) {
	if err := a.visibleCustomer(ctx, who, auth.AccountsRead, customerID); err != nil {
		return nil, err
	}
	return a.store.Promises(ctx, customerID)
}

// CancelledPromise is a promise (or a payment plan) just cancelled, and whether its account was woken.
type CancelledPromise struct {
	ID         int64
	CustomerID int64
	Woken      Woken
}

// CancelPromise ends an open promise, saying why: its invoices are dunned again at once
// (the account's workflow evaluates again and holds them no longer).
func (a *App) CancelPromise(ctx context.Context, who domain.Principal, id int64, reason string) (CancelledPromise, error) {
	if err := allow(who, auth.DunningControl); err != nil {
		return CancelledPromise{}, err
	}
	p, err := a.store.Promise(ctx, id)
	if err != nil {
		return CancelledPromise{}, err
	}
	if err := a.store.CheckCustomer(ctx, perimeter(who), p.CustomerID); err != nil {
		// Outside the perimeter the promise does not exist.
		return CancelledPromise{}, domain.Errorf(domain.CodeNotFound, "promise %d not found", id)
	}
	reason, err = cancelReason(reason, "promise")
	if err != nil {
		return CancelledPromise{}, err
	}
	customerID, err := a.store.CancelPromise(ctx, id, reason, who.Actor())
	if err != nil {
		return CancelledPromise{}, err
	}
	return CancelledPromise{ID: id, CustomerID: customerID, Woken: a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})}, nil
}

// currencyField reads the currency of a promise or plan (field currency).
func currencyField(v string) (money.Currency, error) {
	if v == "" {
		return money.Currency{}, domain.FieldError("currency", "required: the invoices' currency (ISO 4217)")
	}
	cur, err := money.ParseCurrency(strings.ToUpper(strings.TrimSpace(v)))
	if err != nil {
		return cur, domain.FieldError("currency", "%q: %v", v, err)
	}
	return cur, nil
}

// cancelReason checks why a promise or plan (what) is cancelled (field reason).
func cancelReason(reason, what string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", domain.FieldError("reason", "required: say why the %s is cancelled", what)
	case utf8.RuneCountInString(reason) > maxPromiseNote:
		return "", domain.FieldError("reason", "at most %d characters", maxPromiseNote)
	}
	return reason, nil
}
