package store

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/dunning"
	"recoup/money"
)

// The figures of a day are read from kpi_snapshots (migration 00035): each
// customer's aged balance and credit sales as of the day's end, built for
// every customer the first time the day is asked and rebuilt customer by
// customer when a change marks them stale. Reading 100,000 customer rows
// instead of every invoice's history is what keeps a figure within twice a
// sequential scan of the invoices (README "Benchmark: collection figures").
// The snapshot holds exactly what the live queries of kpis.go compute (the
// tests run every figure through it); those queries remain the path for a
// day after today, a filter without sales segments, and a build that cannot
// take its lock because a writer is busy.

// MaxSalesSegments is how many sales segments a snapshot row holds (s1..s25).
const MaxSalesSegments = 25

// snapshotLock is the advisory lock of migration 00035 ('kpisnap').
const snapshotLock = 30241420718530928

// snapshotAsOf is each invoice's latest history row before @cut, for every
// customer (@some false) or those in @customers.
const snapshotAsOf = `
WITH asof AS (
    SELECT DISTINCT ON (h.invoice_id) h.invoice_id, h.open_minor, h.due_date
    FROM invoice_open_history h
    WHERE h.at < @cut
      AND (NOT @some::boolean OR h.invoice_id IN (SELECT id FROM invoices WHERE customer_id = ANY (@customers::bigint[])))
    ORDER BY h.invoice_id, h.at DESC, h.id DESC)`

// snapshotBuild computes the aged balance rows of day @on: the open items
// and the unallocated payments as agingAsOf counts them.
const snapshotBuild = snapshotAsOf + `,
items AS (
    SELECT i.customer_id, i.currency, i.type = 'credit_note' AS credit, @on::date - a.due_date AS days, a.due_date,
           a.open_minor AS amount
    FROM asof a JOIN invoices i ON i.id = a.invoice_id
    WHERE a.open_minor > 0
    UNION ALL
    SELECT p.customer_id, p.currency, true, 0, NULL, p.unallocated_minor
    FROM payments p
    WHERE p.created_at < @cut AND p.unallocated_minor > 0 AND (NOT @some::boolean OR p.customer_id = ANY (@customers::bigint[])))
INSERT INTO kpi_snapshots (day, customer_id, currency, b0, b1, b2, b3, b4, b5, credits, overdue_days, oldest_overdue)
SELECT @on::date, customer_id, currency,
       coalesce(sum(amount) FILTER (WHERE NOT credit AND days <= 0), 0),
       coalesce(sum(amount) FILTER (WHERE NOT credit AND days BETWEEN 1 AND 30), 0),
       coalesce(sum(amount) FILTER (WHERE NOT credit AND days BETWEEN 31 AND 60), 0),
       coalesce(sum(amount) FILTER (WHERE NOT credit AND days BETWEEN 61 AND 90), 0),
       coalesce(sum(amount) FILTER (WHERE NOT credit AND days BETWEEN 91 AND 120), 0),
       coalesce(sum(amount) FILTER (WHERE NOT credit AND days > 120), 0),
       coalesce(sum(amount) FILTER (WHERE credit), 0),
       coalesce(sum(amount::numeric * days) FILTER (WHERE NOT credit AND days > 0), 0),
       min(due_date) FILTER (WHERE NOT credit AND days > 0)
FROM items GROUP BY customer_id, currency`

// snapshotOverdueBuild adds up the overdue of each customer of day @on
// that snapshotBuild just wrote.
const snapshotOverdueBuild = `
INSERT INTO kpi_snapshot_overdue (day, customer_id, overdue, over60, oldest_overdue)
SELECT @on::date, k.customer_id, sum(k.b1 + k.b2 + k.b3 + k.b4 + k.b5), sum(k.b3 + k.b4 + k.b5), min(k.oldest_overdue)
FROM kpi_snapshots k
WHERE k.day = @on::date AND k.oldest_overdue IS NOT NULL AND (NOT @some::boolean OR k.customer_id = ANY (@customers::bigint[]))
GROUP BY k.customer_id`

// snapshotSalesBuild computes the credit sales rows of day @on: the
// invoices and credit notes known at @cut (as salesByDay) by segment (@lows
// are the segments' first days, ascending).
const snapshotSalesBuild = snapshotAsOf + `,
sold AS (
    SELECT i.customer_id, i.currency, width_bucket(i.issue_date, @lows::date[]) AS seg,
           CASE WHEN i.type = 'invoice' THEN i.amount_minor ELSE -i.amount_minor END AS minor
    FROM invoices i JOIN asof a ON a.invoice_id = i.id
    WHERE i.issue_date BETWEEN (@lows::date[])[1] AND @on::date)
INSERT INTO kpi_snapshot_sales (day, customer_id, currency,
    s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21, s22, s23, s24, s25)
SELECT @on::date, customer_id, currency,
       coalesce(sum(minor) FILTER (WHERE seg = 1), 0), coalesce(sum(minor) FILTER (WHERE seg = 2), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 3), 0), coalesce(sum(minor) FILTER (WHERE seg = 4), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 5), 0), coalesce(sum(minor) FILTER (WHERE seg = 6), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 7), 0), coalesce(sum(minor) FILTER (WHERE seg = 8), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 9), 0), coalesce(sum(minor) FILTER (WHERE seg = 10), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 11), 0), coalesce(sum(minor) FILTER (WHERE seg = 12), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 13), 0), coalesce(sum(minor) FILTER (WHERE seg = 14), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 15), 0), coalesce(sum(minor) FILTER (WHERE seg = 16), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 17), 0), coalesce(sum(minor) FILTER (WHERE seg = 18), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 19), 0), coalesce(sum(minor) FILTER (WHERE seg = 20), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 21), 0), coalesce(sum(minor) FILTER (WHERE seg = 22), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 23), 0), coalesce(sum(minor) FILTER (WHERE seg = 24), 0),
       coalesce(sum(minor) FILTER (WHERE seg = 25), 0)
FROM sold GROUP BY customer_id, currency`

// snapshotTotals rewrites the totals of day @on from its rows.
const (
	snapshotTotalsDrop = `DELETE FROM kpi_snapshot_totals WHERE day = @on::date`
	snapshotTotals     = `
INSERT INTO kpi_snapshot_totals (day, currency, items, b0, b1, b2, b3, b4, b5, credits, overdue_days,
    s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21, s22, s23, s24, s25)
SELECT @on::date, coalesce(a.currency, s.currency), a.currency IS NOT NULL,
       coalesce(a.b0, 0), coalesce(a.b1, 0), coalesce(a.b2, 0), coalesce(a.b3, 0), coalesce(a.b4, 0), coalesce(a.b5, 0),
       coalesce(a.credits, 0), coalesce(a.overdue_days, 0),
       coalesce(s.s1, 0), coalesce(s.s2, 0), coalesce(s.s3, 0), coalesce(s.s4, 0), coalesce(s.s5, 0), coalesce(s.s6, 0),
       coalesce(s.s7, 0), coalesce(s.s8, 0), coalesce(s.s9, 0), coalesce(s.s10, 0), coalesce(s.s11, 0), coalesce(s.s12, 0),
       coalesce(s.s13, 0), coalesce(s.s14, 0), coalesce(s.s15, 0), coalesce(s.s16, 0), coalesce(s.s17, 0), coalesce(s.s18, 0),
       coalesce(s.s19, 0), coalesce(s.s20, 0), coalesce(s.s21, 0), coalesce(s.s22, 0), coalesce(s.s23, 0), coalesce(s.s24, 0),
       coalesce(s.s25, 0)
FROM (SELECT currency, sum(b0) AS b0, sum(b1) AS b1, sum(b2) AS b2, sum(b3) AS b3, sum(b4) AS b4, sum(b5) AS b5,
             sum(credits) AS credits, sum(overdue_days) AS overdue_days
      FROM kpi_snapshots WHERE day = @on::date GROUP BY currency) a
FULL JOIN (
      SELECT currency, sum(s1) AS s1, sum(s2) AS s2, sum(s3) AS s3, sum(s4) AS s4, sum(s5) AS s5, sum(s6) AS s6, sum(s7) AS s7,
             sum(s8) AS s8, sum(s9) AS s9, sum(s10) AS s10, sum(s11) AS s11, sum(s12) AS s12, sum(s13) AS s13, sum(s14) AS s14,
             sum(s15) AS s15, sum(s16) AS s16, sum(s17) AS s17, sum(s18) AS s18, sum(s19) AS s19, sum(s20) AS s20,
             sum(s21) AS s21, sum(s22) AS s22, sum(s23) AS s23, sum(s24) AS s24, sum(s25) AS s25
      FROM kpi_snapshot_sales WHERE day = @on::date GROUP BY currency) s ON s.currency = a.currency`
)

const (
	snapshotState = `SELECT EXISTS (SELECT 1 FROM kpi_snapshot_days WHERE day = @on::date),
       EXISTS (SELECT 1 FROM kpi_snapshot_stale WHERE day = @on::date)`
	snapshotDay          = `INSERT INTO kpi_snapshot_days (day) VALUES (@on::date)`
	snapshotTaken        = `DELETE FROM kpi_snapshot_stale WHERE day = @on::date RETURNING customer_id`
	snapshotDrop         = `DELETE FROM kpi_snapshots WHERE day = @on::date AND customer_id = ANY (@customers::bigint[])`
	snapshotDropSales    = `DELETE FROM kpi_snapshot_sales WHERE day = @on::date AND customer_id = ANY (@customers::bigint[])`
	snapshotDropOverdue  = `DELETE FROM kpi_snapshot_overdue WHERE day = @on::date AND customer_id = ANY (@customers::bigint[])`
	snapshotDropReceipts = `DELETE FROM kpi_snapshot_receipts WHERE day = @on::date AND customer_id = ANY (@customers::bigint[])`
	snapshotDropDue      = `DELETE FROM kpi_snapshot_due WHERE day = @on::date AND customer_id = ANY (@customers::bigint[])`
	// A day's rows are many: the planner needs them counted to aggregate by hash.
	snapshotAnalyze = `ANALYZE kpi_snapshots, kpi_snapshot_overdue, kpi_snapshot_sales, kpi_snapshot_receipts, kpi_snapshot_due,
    kpi_snapshot_due_groups, kpi_snapshot_receipt_groups, kpi_snapshot_portfolio, kpi_snapshot_after, kpi_snapshot_after_groups`
	snapshotTry = `SELECT pg_try_advisory_xact_lock(@key)`
)

// snapshot says whether the figures of f.On may be read from kpi_snapshots,
// building the day or rebuilding its stale customers first. It answers false
// (read the history) for a day after today, for a filter without sales
// segments, and when a writer holds the lock (an import running): the
// reader does not wait for it.
func (s *Store) snapshot(ctx context.Context, f KPIFilter) (bool, error) {
	if len(f.Segments) == 0 || f.Cut().After(time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)) {
		return false, nil
	}
	if len(f.Segments) > MaxSalesSegments {
		return false, fmt.Errorf("snapshot: %d sales segments, at most %d", len(f.Segments), MaxSalesSegments)
	}
	var built, stale bool
	if err := s.Pool.QueryRow(ctx, snapshotState, pgx.NamedArgs{"on": f.On.String()}).Scan(&built, &stale); err != nil {
		return false, err
	}
	if built && !stale {
		return true, nil
	}
	usable := false
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, snapshotTry, pgx.NamedArgs{"key": int64(snapshotLock)}).Scan(&locked); err != nil || !locked {
			return err
		}
		// Under the lock no writer is between its change and its mark: what
		// follows reads everything committed, and the marks say the rest.
		a := pgx.NamedArgs{"on": f.On.String(), "cut": f.Cut(), "lows": segmentDates(f.Segments), "some": false,
			"customers": []int64{}, "since": delayWindowStart(f.On).In(time.UTC), "horizon": ForecastHorizonDays}
		if err := tx.QueryRow(ctx, snapshotState, a).Scan(&built, &stale); err != nil {
			return err
		}
		if !built {
			if _, err := tx.Exec(ctx, snapshotDay, a); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, snapshotTaken, a)
		if err != nil {
			return err
		}
		customers, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if built {
			a["some"], a["customers"] = true, customers
			for _, drop := range []string{snapshotDrop, snapshotDropSales, snapshotDropOverdue, snapshotDropReceipts, snapshotDropDue, snapshotDropAfter} {
				if _, err := tx.Exec(ctx, drop, a); err != nil {
					return err
				}
			}
		}
		// The receipts before the due rows (which carry the delay the
		// receipts give), the sums by group once all the rows are there.
		for _, build := range []string{snapshotBuild, snapshotOverdueBuild, snapshotSalesBuild, snapshotTotalsDrop, snapshotTotals,
			snapshotReceiptsBuild, snapshotDueBuild, snapshotAfterBuild,
			snapshotGroupsDrop, snapshotDueGroups, snapshotReceiptGroups, snapshotPortfolio, snapshotAfterGroupsDrop, snapshotAfterGroups} {
			if _, err := tx.Exec(ctx, build, a); err != nil {
				return err
			}
		}
		if !built {
			if _, err := tx.Exec(ctx, snapshotAnalyze); err != nil {
				return err
			}
		}
		usable = true
		return nil
	})
	return usable, err
}

// portfolio says whether p is an agent's or a sales rep's customers: a
// bounded set, looked up customer by customer.
func (p Perimeter) portfolio() bool { return !p.All && (p.Agent != nil || p.SalesRep != nil) }

// byEntity says whether p is whole entities (all, or some): the sums of a
// day by entity answer for it.
func (p Perimeter) byEntity() bool {
	return p.All || (p.Agent == nil && p.SalesRep == nil && p.Department == nil)
}

func segmentDates(segs []dunning.Date) []string {
	out := make([]string, len(segs))
	for i, d := range segs {
		out[i] = d.String()
	}
	return out
}

// agingSnapshot is agingAsOf over the snapshot of @on.
const agingSnapshot = agingSnapshotColumns + `
FROM kpi_snapshots k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users u ON u.id = c.agent_id
WHERE k.day = @on::date AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2, 3
ORDER BY 1, 3`

// agingSnapshotPortfolio is agingSnapshot for a portfolio (an agent's, a
// sales rep's): it looks each of the portfolio's customers up in the day's
// rows (OFFSET 0 keeps the lookup a loop over the customers) rather than
// reading the whole day to keep a few thousand rows.
const agingSnapshotPortfolio = agingSnapshotColumns + `
FROM customers c
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users u ON u.id = c.agent_id
CROSS JOIN LATERAL (SELECT * FROM kpi_snapshots k WHERE k.day = @on::date AND k.customer_id = c.id OFFSET 0) k
WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2, 3
ORDER BY 1, 3`

const agingSnapshotColumns = `
SELECT CASE @group::text WHEN 'entity' THEN e.code WHEN 'agent' THEN coalesce(u.email, '') WHEN 'category' THEN c.category
            WHEN 'country' THEN c.country WHEN 'customer' THEN c.external_id ELSE '' END,
       CASE @group::text WHEN 'entity' THEN e.name WHEN 'agent' THEN coalesce(u.name, '') WHEN 'customer' THEN c.name ELSE '' END,
       k.currency, sum(k.b0)::bigint, sum(k.b1)::bigint, sum(k.b2)::bigint, sum(k.b3)::bigint, sum(k.b4)::bigint, sum(k.b5)::bigint,
       sum(k.credits)::bigint, sum(k.overdue_days)::text`

// agingSnapshotAll is agingSnapshot's total over every customer: what an
// admin's DSO and total read, from the day's totals.
const agingSnapshotAll = `
SELECT '', '', k.currency, k.b0, k.b1, k.b2, k.b3, k.b4, k.b5, k.credits, k.overdue_days::text
FROM kpi_snapshot_totals k
WHERE k.day = @on::date AND k.items
ORDER BY k.currency`

// salesSnapshotAll is salesSnapshot over every customer, from the day's totals.
const salesSnapshotAll = `
SELECT k.currency, k.s1, k.s2, k.s3, k.s4, k.s5, k.s6, k.s7, k.s8, k.s9, k.s10, k.s11, k.s12, k.s13, k.s14, k.s15, k.s16,
       k.s17, k.s18, k.s19, k.s20, k.s21, k.s22, k.s23, k.s24, k.s25
FROM kpi_snapshot_totals k
WHERE k.day = @on::date
ORDER BY k.currency`

// salesSnapshot is the credit sales by segment (s1..s25) and currency of the snapshot of @on.
const salesSnapshot = salesSnapshotColumns + `
FROM kpi_snapshot_sales k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE k.day = @on::date AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY k.currency
ORDER BY k.currency`

// salesSnapshotPortfolio is salesSnapshot for a portfolio, as agingSnapshotPortfolio.
const salesSnapshotPortfolio = salesSnapshotColumns + `
FROM customers c
JOIN entities e ON e.id = c.entity_id
CROSS JOIN LATERAL (SELECT * FROM kpi_snapshot_sales k WHERE k.day = @on::date AND k.customer_id = c.id OFFSET 0) k
WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY k.currency
ORDER BY k.currency`

const salesSnapshotColumns = `
SELECT k.currency, sum(k.s1)::bigint, sum(k.s2)::bigint, sum(k.s3)::bigint, sum(k.s4)::bigint, sum(k.s5)::bigint,
       sum(k.s6)::bigint, sum(k.s7)::bigint, sum(k.s8)::bigint, sum(k.s9)::bigint, sum(k.s10)::bigint, sum(k.s11)::bigint,
       sum(k.s12)::bigint, sum(k.s13)::bigint, sum(k.s14)::bigint, sum(k.s15)::bigint, sum(k.s16)::bigint, sum(k.s17)::bigint,
       sum(k.s18)::bigint, sum(k.s19)::bigint, sum(k.s20)::bigint, sum(k.s21)::bigint, sum(k.s22)::bigint, sum(k.s23)::bigint,
       sum(k.s24)::bigint, sum(k.s25)::bigint`

// SalesBySegment is the credit sales inside per issued in each of f's
// segments (f.Segments are their first days; the last ends at f.On), as
// known at the end of f.On: one DaySales per segment and currency, dated
// the segment's last day. ok is false when the snapshot cannot be read: use
// SalesByDay.
func (s *Store) SalesBySegment(ctx context.Context, per Perimeter, f KPIFilter) (sales []DaySales, ok bool, err error) {
	if ok, err = s.snapshot(ctx, f); !ok || err != nil {
		return nil, ok, err
	}
	query := salesSnapshot
	switch {
	case per.everyone() && f.Entity == "":
		query = salesSnapshotAll
	case per.portfolio():
		query = salesSnapshotPortfolio
	}
	rows, err := s.Pool.Query(ctx, query, f.args(per, nil))
	if err != nil {
		return nil, false, err
	}
	var cur string
	var seg [MaxSalesSegments]int64
	dest := []any{&cur}
	for i := range seg {
		dest = append(dest, &seg[i])
	}
	_, err = pgx.ForEachRow(rows, dest, func() error {
		c, err := money.ParseCurrency(cur)
		if err != nil {
			return err
		}
		for i, first := range f.Segments {
			last := f.On
			if i+1 < len(f.Segments) {
				last = f.Segments[i+1].AddDays(-1)
			}
			if seg[i] != 0 && !last.Before(first) {
				sales = append(sales, DaySales{On: last, Currency: c, Minor: seg[i]})
			}
		}
		return nil
	})
	return sales, err == nil, err
}

// scanAging reads a row of agingAsOf or agingSnapshot.
func scanAging(r pgx.CollectableRow) (AgingRow, error) {
	var a AgingRow
	var cur, days string
	b := &a.Buckets
	if err := r.Scan(&a.Key, &a.Label, &cur, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &a.Credits, &days); err != nil {
		return a, err
	}
	a.Credits = -a.Credits
	var ok bool
	if a.OverdueDays, ok = new(big.Int).SetString(days, 10); !ok {
		return a, fmt.Errorf("aging: overdue days %q", days)
	}
	var err error
	a.Currency, err = money.ParseCurrency(cur)
	return a, err
}
