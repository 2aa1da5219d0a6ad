package storetest

import (
	"testing"
	"time"

	"recoup/dunning"
)

// Promise is a promise to pay on one invoice of its customer: made at Made
// (zero: a week before Due), Status open unless given, ClosedAt when it was
// settled (zero: now, for a status other than open).
type Promise struct {
	Invoice  int64 // required
	Due      dunning.Date
	Made     time.Time
	Status   string
	ClosedAt time.Time
}

const insertPromise = `
INSERT INTO promises (customer_id, invoice_ids, currency, amount_minor, covered_open_minor, promised_date, grace_days, source,
                      status, created_by, closed_at, created_at)
SELECT i.customer_id, ARRAY[i.id], i.currency, greatest(i.open_minor, 1), greatest(i.open_minor, 1), $2, 0, 'call',
       $3, 'storetest', CASE WHEN $3 = 'open' THEN NULL ELSE coalesce($4, now()) END, $5
FROM invoices i WHERE i.id = $1
RETURNING id`

// Promise inserts p and returns its id.
func (f *Factory) Promise(t testing.TB, p Promise) int64 {
	t.Helper()
	status := or(p.Status, "open")
	var closed *time.Time
	if !p.ClosedAt.IsZero() {
		closed = &p.ClosedAt
	}
	made := p.Made
	if made.IsZero() {
		made = p.Due.AddDays(-7).In(time.UTC)
	}
	return f.insert(t, "promise", insertPromise, p.Invoice, p.Due.String(), status, closed, made)
}
