package app

import (
	"context"
	"io"

	"recoup/auth"
	"recoup/domain"
	"recoup/importer"
)

// ImportRequest is an ERP file to load.
type ImportRequest struct {
	Kind   string // entities, users, customers, invoices, payments, exchange_rates, holidays or risk
	Format importer.Format
	Name   string // where the file came from, for the import's record
	Body   io.Reader
}

// Imported is an import's result and the wake-up of the accounts it touched.
type Imported struct {
	importer.Result
	Woken Woken
}

// Import loads an ERP file (streamed: nothing holds it whole), then wakes the
// dunning of the accounts it changed. Bad rows are rejected one by one in the
// result; a file unusable as a whole imports nothing (*importer.FileError).
func (a *App) Import(ctx context.Context, who domain.Principal, req ImportRequest) (Imported, error) {
	if err := allow(who, auth.ImportsCreate); err != nil {
		return Imported{}, err
	}
	kind, err := importer.ParseKind(req.Kind)
	if err != nil {
		return Imported{}, domain.FieldError("kind", "%v", err)
	}
	res, err := a.importer.Import(ctx, kind, req.Format, req.Body, importer.Source{Name: req.Name, Actor: who.Actor()})
	if err != nil {
		return Imported{}, err
	}
	out := Imported{Result: res}
	if kind == importer.Customers {
		// Customers the ERP sent without an agent get one from the agent rules.
		if _, err := a.store.ApplyAgentRules(ctx, who.Actor()); err != nil {
			return out, err
		}
	}
	if kind == importer.Invoices {
		// Accepted disputes wait for their credit note: an invoice whose open
		// amount the ERP changed has it, and is dunned for what is left.
		if _, err := a.store.ReleaseCreditedHolds(ctx, res.ImportID, who.Actor()); err != nil {
			return out, err
		}
	}
	if kind == importer.Customers && res.Inserted+res.Updated > 0 {
		// Limits and open orders come with the customers, not with what
		// wakes accounts: their thresholds are evaluated now, not at the sweep.
		a.limitUseChanged(ctx, nil, true)
	}
	if kind == importer.Risk && res.Inserted > 0 {
		a.evaluateRisk(ctx)
	}
	if res.ChangesDunning() {
		out.Woken = a.AccountsChanged(ctx, Change{ImportID: res.ImportID})
	}
	return out, nil
}
