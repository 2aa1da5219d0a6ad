package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"recoup/money"
)

// EntityTotals is what the customers of one entity owe in one currency.
type EntityTotals struct {
	Entity           string
	Customers        int64
	OverdueCustomers int64
	Balance          money.Money
	Overdue          money.Money
}

// totalsByEntity adds up the per-customer totals inside the perimeter, by
// entity and currency (amounts of different currencies are never summed).
const totalsByEntity = `
SELECT e.code, c.currency, count(*), count(*) FILTER (WHERE t.overdue_minor > 0),
       coalesce(sum(t.balance_minor), 0), coalesce(sum(t.overdue_minor), 0)
FROM customers c
JOIN entities e ON e.id = c.entity_id
JOIN customer_totals t ON t.customer_id = c.id
WHERE ` + perimeterClause + `
GROUP BY e.code, c.currency
ORDER BY e.code, c.currency`

// TotalsByEntity is the balance and overdue of the customers inside per, by
// entity and currency; the stored overdue sums are brought up to date first.
func (s *Store) TotalsByEntity(ctx context.Context, per Perimeter) ([]EntityTotals, error) {
	if _, err := s.Pool.Exec(ctx, refreshStaleTotals); err != nil {
		return nil, err
	}
	rows, err := s.Pool.Query(ctx, totalsByEntity, per.args(nil))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (EntityTotals, error) {
		var t EntityTotals
		var code string
		var balance, overdue int64
		if err := r.Scan(&t.Entity, &code, &t.Customers, &t.OverdueCustomers, &balance, &overdue); err != nil {
			return t, err
		}
		cur, err := money.ParseCurrency(code)
		if err != nil {
			return t, err
		}
		t.Balance, t.Overdue = money.Money{Minor: balance, Currency: cur}, money.Money{Minor: overdue, Currency: cur}
		return t, nil
	})
}
