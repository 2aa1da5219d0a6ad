package app

import (
	"context"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// InvoiceDocument answers the PDF the ERP gave for an invoice of a customer
// inside who's perimeter (the account page's invoices).
func (a *App) InvoiceDocument(ctx context.Context, who domain.Principal, customerID, invoiceID int64) (store.InvoiceDocument, []byte, error) {
	if err := a.visibleCustomer(ctx, who, auth.AccountsRead, customerID); err != nil {
		return store.InvoiceDocument{}, nil, err
	}
	return a.store.InvoiceDocument(ctx, customerID, invoiceID)
}

// DocumentedInvoices lists which invoices of a customer inside who's perimeter have a PDF.
func (a *App) DocumentedInvoices(ctx context.Context, who domain.Principal, customerID int64) (map[int64]bool, error) {
	if err := a.visibleCustomer(ctx, who, auth.AccountsRead, customerID); err != nil {
		return nil, err
	}
	return a.store.DocumentedInvoices(ctx, customerID)
}

// PortalInvoiceDocument answers the PDF of one of the session's open
// invoices; found is false when the ERP gave none (the entity's document
// URL template may then point to it: PortalDocumentURL). Another account's
// invoice is not found.
func (a *App) PortalInvoiceDocument(ctx context.Context, s PortalSession, id int64) (store.InvoiceDocument, []byte, bool, error) {
	inv, err := a.PortalInvoice(ctx, s, id)
	if err != nil || !inv.HasDocument {
		return store.InvoiceDocument{}, nil, false, err
	}
	d, content, err := a.store.InvoiceDocument(ctx, s.CustomerID, inv.ID)
	return d, content, err == nil, err
}
