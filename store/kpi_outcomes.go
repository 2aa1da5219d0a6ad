package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/dunning"
	"recoup/money"
)

// DisputeFigures are the disputes opened in a period, as known at its end:
// all of them (Reason and Department "") or those of one reason and
// department.
type DisputeFigures struct {
	Reason, Department string
	Opened             int
	Decided            int // of those, decided by the end of the period
	Accepted           int // fully or partly
	Rejected           int
	Withdrawn          int
	Breached           int   // past their SLA by the end of the period
	AvgResolution      int64 // seconds from opening to decision, over those decided; 0: none
	P90Resolution      int64 // the 90th percentile of the same
}

// DisputedAmount is what the disputes of a period disputed in one currency,
// and the credit notes accepted for them by its end.
type DisputedAmount struct {
	Currency   money.Currency
	Disputed   int64
	CreditNote int64
}

// outcomeScope: the customers of per and entity, and the period [@start, @cut).
const outcomeScope = `
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause

const (
	// disputeFigures: one row per reason and department, and the all-disputes row (grouping 1).
	disputeFigures = `
SELECT grouping(k.reason), coalesce(k.reason, ''), coalesce(k.department, ''), count(*)::int,
       count(*) FILTER (WHERE k.decided_at < @cut)::int,
       count(*) FILTER (WHERE k.decided_at < @cut AND k.decision IN ('accepted', 'partly_accepted'))::int,
       count(*) FILTER (WHERE k.decided_at < @cut AND k.decision = 'rejected')::int,
       count(*) FILTER (WHERE k.decided_at < @cut AND k.decision = 'withdrawn')::int,
       count(*) FILTER (WHERE k.breached_at < @cut)::int,
       coalesce(round(avg(extract(epoch FROM k.decided_at - k.opened_at)) FILTER (WHERE k.decided_at < @cut)), 0)::bigint,
       coalesce(round(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM k.decided_at - k.opened_at))
                FILTER (WHERE k.decided_at < @cut)), 0)::bigint
FROM cases k` + outcomeScope + `
  AND k.type = 'dispute' AND k.opened_at >= @start AND k.opened_at < @cut
GROUP BY GROUPING SETS ((k.reason, k.department), ())
ORDER BY 1 DESC, 4 DESC, 2, 3`
	disputedAmounts = `
SELECT ci.currency, sum(ci.disputed_minor)::bigint,
       coalesce(sum(ci.credit_note_minor) FILTER (WHERE k.decided_at < @cut), 0)::bigint
FROM case_invoices ci JOIN cases k ON k.id = ci.case_id` + outcomeScope + `
  AND k.type = 'dispute' AND k.opened_at >= @start AND k.opened_at < @cut
GROUP BY ci.currency
ORDER BY ci.currency`
)

// DisputeFigures are the figures of the disputes inside per opened from
// from to f.On (dates, UTC): first all of them, then by reason and
// department, most opened first; and the amounts they disputed, by currency.
func (s *Store) DisputeFigures(ctx context.Context, per Perimeter, f KPIFilter, from dunning.Date) ([]DisputeFigures, []DisputedAmount, error) {
	args := f.args(per, pgx.NamedArgs{"start": from.In(time.UTC)})
	rows, err := s.Pool.Query(ctx, disputeFigures, args)
	if err != nil {
		return nil, nil, err
	}
	figures, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DisputeFigures, error) {
		var d DisputeFigures
		var all int
		err := r.Scan(&all, &d.Reason, &d.Department, &d.Opened, &d.Decided, &d.Accepted, &d.Rejected, &d.Withdrawn, &d.Breached,
			&d.AvgResolution, &d.P90Resolution)
		return d, err
	})
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.Pool.Query(ctx, disputedAmounts, args)
	if err != nil {
		return nil, nil, err
	}
	amounts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DisputedAmount, error) {
		var a DisputedAmount
		var cur string
		if err := r.Scan(&cur, &a.Disputed, &a.CreditNote); err != nil {
			return a, err
		}
		a.Currency, err = money.ParseCurrency(cur)
		return a, err
	})
	return figures, amounts, err
}

// PromiseFigures count the promises falling due in a period (their promised
// date in it) by what had become of them at its end.
type PromiseFigures struct {
	Due, Kept, PartlyKept, Broken, Cancelled, Pending int
}

// promiseFigures: an outcome recorded after the period's end is still pending then.
const promiseFigures = `
SELECT count(*)::int,
       count(*) FILTER (WHERE k.status = 'kept' AND k.closed_at < @cut)::int,
       count(*) FILTER (WHERE k.status = 'partly_kept' AND k.closed_at < @cut)::int,
       count(*) FILTER (WHERE k.status = 'broken' AND k.closed_at < @cut)::int,
       count(*) FILTER (WHERE k.status = 'cancelled' AND k.closed_at < @cut)::int
FROM promises k` + outcomeScope + `
  AND k.promised_date BETWEEN @from::date AND @on::date AND k.created_at < @cut`

// PromiseFigures are the figures of the promises inside per falling due from from to f.On.
func (s *Store) PromiseFigures(ctx context.Context, per Perimeter, f KPIFilter, from dunning.Date) (PromiseFigures, error) {
	var p PromiseFigures
	err := s.Pool.QueryRow(ctx, promiseFigures, f.args(per, pgx.NamedArgs{"from": from.String()})).
		Scan(&p.Due, &p.Kept, &p.PartlyKept, &p.Broken, &p.Cancelled)
	p.Pending = p.Due - p.Kept - p.PartlyKept - p.Broken - p.Cancelled
	return p, err
}
