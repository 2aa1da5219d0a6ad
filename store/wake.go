package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Which accounts' dunning to wake: those an import changed, or all with open items.

// The import records the accounts whose invoices or payments it changed.
const touchedByImport = `SELECT customer_id FROM import_accounts WHERE import_id = $1 ORDER BY customer_id`

// TouchedCustomers lists the accounts whose invoices an import changed.
func (s *Store) TouchedCustomers(ctx context.Context, importID int64) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, touchedByImport, importID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

const customersWithOpenItems = `
SELECT DISTINCT customer_id FROM invoices WHERE status IN ('open', 'disputed') AND type = 'invoice' AND open_minor > 0 ORDER BY 1`

// CustomersWithOpenItems lists every account dunning should be running for.
func (s *Store) CustomersWithOpenItems(ctx context.Context) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, customersWithOpenItems)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

const countTouchedByImport = `SELECT count(*) FROM import_accounts WHERE import_id = $1`

// CountTouchedCustomers is how many accounts an import changed.
func (s *Store) CountTouchedCustomers(ctx context.Context, importID int64) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, countTouchedByImport, importID).Scan(&n)
	return n, err
}
