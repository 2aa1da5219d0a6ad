package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/templates"
)

// MaxPreviewInvoices bounds the invoices a template preview shows.
const MaxPreviewInvoices = 20

// previewCustomer picks a real account to preview a template with: the one
// named by external id, else the one inside the perimeter with the oldest
// open invoice. Its open invoices come with it, oldest due first.
const previewCustomer = `
SELECT c.id,
       coalesce((array_agg(i.id ORDER BY i.due_date, i.id) FILTER (WHERE i.id IS NOT NULL))[1:@max_invoices::int], '{}')
FROM customers c
LEFT JOIN invoices i ON i.customer_id = c.id AND i.status = 'open' AND i.type = 'invoice' AND i.open_minor > 0
WHERE ` + perimeterClause + ` AND (@external_id::text = '' OR c.external_id = @external_id)
GROUP BY c.id
HAVING @external_id::text <> '' OR count(i.id) > 0
ORDER BY min(i.due_date), c.id
LIMIT 1`

// PreviewCustomer is the account inside per to preview a template with (see
// previewCustomer) and its open invoices. found is false when there is none;
// an external id that names no customer inside per is domain CodeNotFound.
func (s *Store) PreviewCustomer(ctx context.Context, per Perimeter, externalID string) (id int64, invoiceIDs []int64, found bool, err error) {
	err = s.Pool.QueryRow(ctx, previewCustomer, per.args(pgx.NamedArgs{"external_id": externalID, "max_invoices": MaxPreviewInvoices})).
		Scan(&id, &invoiceIDs)
	switch {
	case errors.Is(err, pgx.ErrNoRows) && externalID != "":
		return 0, nil, false, domain.FieldError("customer", "no customer %q that you may see", externalID)
	case errors.Is(err, pgx.ErrNoRows):
		return 0, nil, false, nil
	case err != nil:
		return 0, nil, false, err
	}
	return id, invoiceIDs, true, nil
}

// TemplateData is what a template sees for this reminder, with Today the
// date now on the customer's clock, written in lang.
func (mc MessageContext) TemplateData(now time.Time, lang string) (templates.Data, error) {
	data, err := mc.StatementData(now, lang)
	if err != nil {
		return data, err
	}
	data.ShortenStatement(templates.MaxStatementItems)
	return data, nil
}

// StatementData is TemplateData with every open item kept: the portal's
// statement PDF prints it, so its figures are the email's.
func (mc MessageContext) StatementData(now time.Time, lang string) (templates.Data, error) {
	data := templates.Data{
		Customer: templates.Customer{Name: mc.Customer.Name, ExternalID: mc.Customer.ExternalID,
			Email: mc.Customer.Email, Phone: mc.Customer.Phone, Language: mc.Customer.Language},
		Entity: templates.Entity{Name: mc.Entity.Name, Country: mc.Entity.Country,
			SignatureName: mc.Entity.SignatureName, SignaturePhone: mc.Entity.SignaturePhone},
		AgentName: mc.AgentName, AgentEmail: mc.AgentEmail,
		Schedule: mc.Schedule, Payment: mc.Payment, Dispute: mc.Dispute, PortalURL: mc.PortalURL,
	}
	about := map[int64]bool{}
	for _, inv := range mc.Invoices {
		data.Invoices = append(data.Invoices, inv.Invoice)
		about[inv.ID] = true
	}
	for _, it := range mc.Statement {
		item := it.StatementItem
		item.Marked = item.IsInvoice() && about[it.ID]
		data.Statement = append(data.Statement, item)
	}
	if err := data.ComputeStatement(); err != nil {
		return templates.Data{}, err
	}
	if loc, err := time.LoadLocation(mc.Customer.TimeZone); err == nil {
		now = now.In(loc)
	}
	data.Today = templates.FormatDate(lang, now)
	return data, nil
}
