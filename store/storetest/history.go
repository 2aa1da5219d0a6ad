package storetest

import (
	"testing"
	"time"
)

// backdate moves what was recorded after $1 (open-amount history rows and
// payments) to $1.
const backdate = `
WITH h AS (UPDATE invoice_open_history SET at = $1 WHERE at > $1 RETURNING 1),
     p AS (UPDATE payments SET created_at = $1 WHERE created_at > $1 RETURNING 1)
SELECT (SELECT count(*) FROM h) + (SELECT count(*) FROM p)`

// Backdate says that what the factory (or an import) recorded since the last
// Backdate happened at at, so a test can build the history of past dates in
// order: build, Backdate(t1), change, Backdate(t2)... with t1 < t2 < now.
// It moves the invoice open-amount history and the payments' recording time.
func (f *Factory) Backdate(t testing.TB, at time.Time) {
	t.Helper()
	var n int64
	if err := f.db.QueryRow(t.Context(), backdate, at).Scan(&n); err != nil {
		t.Fatalf("storetest: backdate to %s: %v", at, err)
	}
}

// erpOpen sets an invoice's open amount as an ERP import run does when it
// sends a new figure (see importer.upsertInvoices).
const erpOpen = `
WITH run AS (
    INSERT INTO imports (kind, source, finished_at, updated) VALUES ('invoices', 'storetest', now(), 1) RETURNING id)
UPDATE invoices i SET erp_open_minor = $2::bigint, open_minor = $2::bigint, erp_import_id = run.id,
    status = CASE WHEN $3::boolean THEN 'written_off' WHEN i.status = 'disputed' THEN 'disputed' WHEN $2::bigint = 0 THEN 'paid' ELSE 'open' END,
    updated_at = now()
FROM run WHERE i.id = $1
RETURNING i.id`

// ERPOpen records a new open amount (minor units) the ERP sent for invoice
// id, as an invoice import would; writtenOff marks it written off.
func (f *Factory) ERPOpen(t testing.TB, id, open int64, writtenOff bool) {
	t.Helper()
	f.insert(t, "ERP open amount", erpOpen, id, open, writtenOff)
}
