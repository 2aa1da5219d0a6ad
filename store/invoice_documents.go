package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// InvoiceDocument is an invoice's PDF as the ERP gave it (import kind documents).
type InvoiceDocument struct {
	InvoiceID   int64
	FileName    string
	ContentType string
	Size        int64
	UpdatedAt   time.Time
}

// invoiceDocument reads the document of a customer's invoice: another
// customer's invoice finds nothing.
const invoiceDocument = `
SELECT d.invoice_id, d.file_name, d.content_type, d.size_bytes, d.updated_at, d.content
FROM invoice_documents d JOIN invoices i ON i.id = d.invoice_id
WHERE d.invoice_id = @invoice AND i.customer_id = @customer`

// InvoiceDocument answers the PDF of invoice invoiceID of customerID (not found: CodeNotFound).
func (s *Store) InvoiceDocument(ctx context.Context, customerID, invoiceID int64) (InvoiceDocument, []byte, error) {
	var d InvoiceDocument
	var content []byte
	err := s.Pool.QueryRow(ctx, invoiceDocument, pgx.NamedArgs{"invoice": invoiceID, "customer": customerID}).Scan(&d.InvoiceID,
		&d.FileName, &d.ContentType, &d.Size, &d.UpdatedAt, &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, nil, domain.Errorf(domain.CodeNotFound, "no document for invoice %d", invoiceID)
	}
	return d, content, err
}

const documentedInvoices = `
SELECT d.invoice_id FROM invoice_documents d JOIN invoices i ON i.id = d.invoice_id WHERE i.customer_id = @customer`

// DocumentedInvoices lists the customer's invoices that have a document.
func (s *Store) DocumentedInvoices(ctx context.Context, customerID int64) (map[int64]bool, error) {
	rows, err := s.Pool.Query(ctx, documentedInvoices, pgx.NamedArgs{"customer": customerID})
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
