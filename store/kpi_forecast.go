package store

import (
	"cmp"
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/dunning"
	"recoup/money"
)

// The cash-in forecast's inputs, each read as Recoup knew it at the end of a
// date (KPIFilter.Cut): the open invoices from invoice_open_history, the
// disputes, promises and payment plans open then, and the receipts recorded
// before then. The back-test reads the receipts recorded after it.

// DelayWindowDays is how far back the observed payment delays look: the
// receipts recorded in the 365 days ending at the as-of date.
const DelayWindowDays = 365

// delayWindowStart is the first day of the delay window ending at on.
func delayWindowStart(on dunning.Date) dunning.Date { return on.AddDays(1 - DelayWindowDays) }

// ForecastHorizonDays is how far after its date a forecast's snapshot
// places the open invoices: beyond the last day of the 53rd week (at most
// on + 371) everything is "later", so later days are that one.
const ForecastHorizonDays = 7 * 54

// ForecastOpen is an invoice with an open amount at the cut.
type ForecastOpen struct {
	InvoiceID, CustomerID, EntityID int64
	Category                        string
	Currency                        money.Currency
	Open                            int64 // minor units
	Disputed                        int64 // the part under a dispute open at the cut, at most Open
	Due                             dunning.Date
}

// forecastOpen: invoices (not credit notes) open at @cut, with the amounts
// of the disputes opened before it and not decided or closed by then.
const forecastOpen = `
WITH ` + openAsOf + forecastOpenRest

const forecastOpenRest = `,
disputed AS (
    SELECT ci.invoice_id, sum(ci.disputed_minor) AS minor
    FROM case_invoices ci JOIN cases k ON k.id = ci.case_id
    WHERE k.type = 'dispute' AND k.opened_at < @cut
      AND (k.decided_at IS NULL OR k.decided_at >= @cut) AND (k.closed_at IS NULL OR k.closed_at >= @cut)
    GROUP BY ci.invoice_id)
SELECT a.invoice_id, i.customer_id, c.entity_id, c.category, i.currency, a.open_minor,
       least(coalesce(d.minor, 0), a.open_minor)::bigint, a.due_date
FROM asof a
JOIN invoices i ON i.id = a.invoice_id AND i.type = 'invoice'
JOIN customers c ON c.id = i.customer_id
JOIN entities e ON e.id = c.entity_id
LEFT JOIN disputed d ON d.invoice_id = a.invoice_id
WHERE a.open_minor > 0 AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
ORDER BY a.due_date, a.invoice_id`

// forecastOpenOf is forecastOpen for the invoices @ids only (their history alone is read).
const forecastOpenOf = `
WITH asof AS (
    SELECT DISTINCT ON (h.invoice_id) h.invoice_id, h.open_minor, h.due_date
    FROM invoice_open_history h
    WHERE h.at < @cut AND h.invoice_id = ANY (@ids::bigint[])
    ORDER BY h.invoice_id, h.at DESC, h.id DESC)` + forecastOpenRest

// ForecastOpen is the invoices inside per open at the end of f.On, oldest due first.
func (s *Store) ForecastOpen(ctx context.Context, per Perimeter, f KPIFilter) ([]ForecastOpen, error) {
	return s.forecastOpen(ctx, forecastOpen, f.args(per, nil))
}

// ForecastOpenOf is ForecastOpen of the invoices ids only.
func (s *Store) ForecastOpenOf(ctx context.Context, per Perimeter, f KPIFilter, ids []int64) ([]ForecastOpen, error) {
	return s.forecastOpen(ctx, forecastOpenOf, f.args(per, pgx.NamedArgs{"ids": ids}))
}

func (s *Store) forecastOpen(ctx context.Context, query string, args pgx.NamedArgs) ([]ForecastOpen, error) {
	rows, err := s.Pool.Query(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ForecastOpen, error) {
		var o ForecastOpen
		var cur string
		var due time.Time
		if err := r.Scan(&o.InvoiceID, &o.CustomerID, &o.EntityID, &o.Category, &cur, &o.Open, &o.Disputed, &due); err != nil {
			return o, err
		}
		o.Due = dunning.DateOf(due)
		var err error
		o.Currency, err = money.ParseCurrency(cur)
		return o, err
	})
}

// ForecastPromise is a promise to pay open at the cut.
type ForecastPromise struct {
	InvoiceIDs []int64
	Amount     int64
	Date       dunning.Date
}

// forecastPromises: made before @cut and not settled by then (a promise
// settled later was still open at the cut), oldest first.
const forecastPromises = `
SELECT k.invoice_ids, k.amount_minor, k.promised_date
FROM promises k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE k.created_at < @cut AND (k.status = 'open' OR k.closed_at >= @cut)
  AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
ORDER BY k.created_at, k.id`

// ForecastPromises is the promises inside per open at the end of f.On, oldest first.
func (s *Store) ForecastPromises(ctx context.Context, per Perimeter, f KPIFilter) ([]ForecastPromise, error) {
	rows, err := s.Pool.Query(ctx, forecastPromises, f.args(per, nil))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ForecastPromise, error) {
		var p ForecastPromise
		var on time.Time
		err := r.Scan(&p.InvoiceIDs, &p.Amount, &on)
		p.Date = dunning.DateOf(on)
		return p, err
	})
}

// ForecastInstalment is an instalment of a plan still to be paid at the cut.
type ForecastInstalment struct {
	Date   dunning.Date
	Amount int64
}

// ForecastPlan is a payment plan open at the cut, with its pending instalments in date order.
type ForecastPlan struct {
	ID          int64
	InvoiceIDs  []int64
	Instalments []ForecastInstalment
}

// forecastPlans: plans made before @cut and not closed by then, with the
// instalments not yet checked met or missed by then.
const forecastPlans = `
SELECT p.id, p.invoice_ids, n.due_date, n.amount_minor
FROM payment_plans p
JOIN plan_instalments n ON n.plan_id = p.id
JOIN customers c ON c.id = p.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE p.created_at < @cut AND (p.status = 'open' OR p.closed_at >= @cut)
  AND (n.status = 'pending' OR n.checked_at >= @cut)
  AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
ORDER BY p.id, n.due_date, n.seq`

// ForecastPlans is the payment plans inside per open at the end of f.On.
func (s *Store) ForecastPlans(ctx context.Context, per Perimeter, f KPIFilter) ([]ForecastPlan, error) {
	rows, err := s.Pool.Query(ctx, forecastPlans, f.args(per, nil))
	if err != nil {
		return nil, err
	}
	var out []ForecastPlan
	var id int64
	var ids []int64
	var on time.Time
	var amount int64
	_, err = pgx.ForEachRow(rows, []any{&id, &ids, &on, &amount}, func() error {
		if n := len(out); n == 0 || out[n-1].ID != id {
			out = append(out, ForecastPlan{ID: id, InvoiceIDs: append([]int64{}, ids...)})
		}
		p := &out[len(out)-1]
		p.Instalments = append(p.Instalments, ForecastInstalment{Date: dunning.DateOf(on), Amount: amount})
		return nil
	})
	return out, err
}

// A receipt is a fall of an invoice's receivable recorded in
// invoice_open_history by a payment Recoup allocated or by a lower open
// amount the ERP sent, dated by the day (UTC) it was recorded. The fall to 0
// of an invoice now written off is not a receipt (the history does not say
// why an amount fell; the invoice's status does).
const (
	receiptFrom = `
FROM invoice_open_history h
JOIN invoices i ON i.id = h.invoice_id AND i.type = 'invoice'`
	receiptWhere = `
WHERE h.change_minor < 0 AND h.source IN ('payment', 'erp')
  AND NOT (i.status = 'written_off' AND h.open_minor = 0)`
)

// PaymentDelay is what a customer's receipts in a window add up to: their
// amount and their amount × days after the due date (minor unit-days; negative
// when paid early).
type PaymentDelay struct {
	CustomerID, EntityID int64
	Category             string
	Currency             money.Currency
	Amount               int64
	AmountDays           *big.Int
}

const paymentDelays = `
SELECT i.customer_id, c.entity_id, c.category, i.currency, sum(-h.change_minor)::bigint,
       sum(-h.change_minor::numeric * ((h.at AT TIME ZONE 'UTC')::date - h.due_date))::text` + receiptFrom + `
JOIN customers c ON c.id = i.customer_id
JOIN entities e ON e.id = c.entity_id` + receiptWhere + `
  AND h.at >= @since AND h.at < @cut
  AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2, 3, 4`

// PaymentDelays is, per customer inside per, the receipts recorded from
// since (a date, UTC) to the end of f.On, each weighted by its days after the
// due date it had then.
func (s *Store) PaymentDelays(ctx context.Context, per Perimeter, f KPIFilter, since dunning.Date) ([]PaymentDelay, error) {
	return s.paymentDelays(ctx, paymentDelays, f.args(per, pgx.NamedArgs{"since": since.In(time.UTC)}))
}

func (s *Store) paymentDelays(ctx context.Context, query string, args pgx.NamedArgs) ([]PaymentDelay, error) {
	rows, err := s.Pool.Query(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PaymentDelay, error) {
		var d PaymentDelay
		var cur, days string
		if err := r.Scan(&d.CustomerID, &d.EntityID, &d.Category, &cur, &d.Amount, &days); err != nil {
			return d, err
		}
		var ok bool
		if d.AmountDays, ok = new(big.Int).SetString(days, 10); !ok {
			return d, fmt.Errorf("payment delays: %q", days)
		}
		var err error
		d.Currency, err = money.ParseCurrency(cur)
		return d, err
	})
}

// DayReceipts is what was received on one day in one currency.
type DayReceipts = DayAmount

const receiptsByDay = `
SELECT (h.at AT TIME ZONE 'UTC')::date, i.currency, sum(-h.change_minor)::bigint` + receiptFrom + receiptWhere + `
  AND h.at >= @from AND h.at < @until AND h.invoice_id = ANY (@ids::bigint[])
GROUP BY 1, 2
ORDER BY 1, 2`

// ReceiptsByDay is the receipts on the invoices ids recorded from the start
// of from to the end of to (dates, UTC), by day and currency.
func (s *Store) ReceiptsByDay(ctx context.Context, ids []int64, from, to dunning.Date) ([]DayReceipts, error) {
	rows, err := s.Pool.Query(ctx, receiptsByDay, pgx.NamedArgs{"ids": ids, "from": from.In(time.UTC), "until": to.AddDays(1).In(time.UTC)})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanDayAmount)
}

// The forecast of a day read from its snapshot (migration 00037): the open
// invoices by customer and due date with the customer's own delay, and the
// receipts' sums by customer, so that a forecast adds rows up in SQL rather
// than reading every invoice's history and shipping every open invoice.

// The snapshot's side of the forecast's build (store.snapshot runs them in
// this order: the due rows carry the delay the receipts give).
const (
	snapshotReceiptsBuild = `
INSERT INTO kpi_snapshot_receipts (day, customer_id, currency, amount, amount_days)
SELECT @on::date, i.customer_id, i.currency, sum(-h.change_minor),
       sum(-h.change_minor::numeric * ((h.at AT TIME ZONE 'UTC')::date - h.due_date))` + receiptFrom + receiptWhere + `
  AND h.at >= @since AND h.at < @cut AND (NOT @some::boolean OR i.customer_id = ANY (@customers::bigint[]))
GROUP BY i.customer_id, i.currency`

	snapshotDueBuild = snapshotAsOf + `,
delays AS (
    SELECT r.customer_id, kpi_round_half_even(sum(r.amount_days), sum(r.amount))::int AS delay
    FROM kpi_snapshot_receipts r
    WHERE r.day = @on::date AND (NOT @some::boolean OR r.customer_id = ANY (@customers::bigint[]))
    GROUP BY r.customer_id)
INSERT INTO kpi_snapshot_due (day, customer_id, currency, due_date, open_minor, delay, expected, invoice_ids)
SELECT @on::date, i.customer_id, i.currency, a.due_date, sum(a.open_minor), d.delay,
       CASE WHEN d.delay IS NOT NULL -- (greatest and least skip NULLs)
            THEN least(greatest(a.due_date + d.delay, @on::date), @on::date + @horizon::int) END,
       array_agg(a.invoice_id)
FROM asof a
JOIN invoices i ON i.id = a.invoice_id AND i.type = 'invoice'
LEFT JOIN delays d ON d.customer_id = i.customer_id
WHERE a.open_minor > 0
GROUP BY i.customer_id, i.currency, a.due_date, d.delay`

	// snapshotAfterBuild: the back-test's receipts, those recorded after
	// the day (up to the horizon) on the invoices open at its end.
	snapshotAfterBuild = `
INSERT INTO kpi_snapshot_after (day, customer_id, currency, on_date, minor)
SELECT @on::date, k.customer_id, k.currency, (h.at AT TIME ZONE 'UTC')::date, sum(-h.change_minor)
FROM kpi_snapshot_due k
CROSS JOIN LATERAL unnest(k.invoice_ids) AS u (id)
JOIN invoice_open_history h ON h.invoice_id = u.id
WHERE k.day = @on::date AND (NOT @some::boolean OR k.customer_id = ANY (@customers::bigint[]))
  AND h.change_minor < 0 AND h.source IN ('payment', 'erp')
  AND h.at >= @cut AND h.at < @cut + make_interval(days => @horizon::int)
  AND NOT (h.open_minor = 0 AND h.invoice_id IN (SELECT id FROM invoices WHERE status = 'written_off'))
GROUP BY 2, 3, 4`
	snapshotAfterGroupsDrop = `DELETE FROM kpi_snapshot_after_groups WHERE day = @on::date`
	snapshotAfterGroups     = `
INSERT INTO kpi_snapshot_after_groups (day, entity_id, currency, on_date, minor)
SELECT @on::date, c.entity_id, k.currency, k.on_date, sum(k.minor)
FROM kpi_snapshot_after k JOIN customers c ON c.id = k.customer_id
WHERE k.day = @on::date
GROUP BY 2, 3, 4`

	// The sums of the day's rows by today's entity, category and agent
	// (kpi_snapshot_customers_updated marks the customers that move).
	snapshotGroupsDrop = `
WITH due AS (DELETE FROM kpi_snapshot_due_groups WHERE day = @on::date),
     receipts AS (DELETE FROM kpi_snapshot_receipt_groups WHERE day = @on::date)
DELETE FROM kpi_snapshot_portfolio WHERE day = @on::date`
	snapshotDueGroups = `
INSERT INTO kpi_snapshot_due_groups (day, entity_id, category, currency, own, on_date, open_minor)
SELECT @on::date, c.entity_id, CASE WHEN k.expected IS NULL THEN c.category ELSE '' END, k.currency, k.expected IS NOT NULL,
       coalesce(k.expected, k.due_date), sum(k.open_minor)
FROM kpi_snapshot_due k JOIN customers c ON c.id = k.customer_id
WHERE k.day = @on::date
GROUP BY 2, 3, 4, 5, 6`
	snapshotReceiptGroups = `
INSERT INTO kpi_snapshot_receipt_groups (day, entity_id, category, currency, amount, amount_days)
SELECT @on::date, c.entity_id, c.category, k.currency, sum(k.amount), sum(k.amount_days)
FROM kpi_snapshot_receipts k JOIN customers c ON c.id = k.customer_id
WHERE k.day = @on::date
GROUP BY 2, 3, 4`
	snapshotPortfolio = `
INSERT INTO kpi_snapshot_portfolio (day, entity_id, agent_id, currency, open_minor, accounts)
SELECT @on::date, c.entity_id, coalesce(c.agent_id, 0), k.currency, sum(k.b0 + k.b1 + k.b2 + k.b3 + k.b4 + k.b5), count(*)
FROM kpi_snapshots k JOIN customers c ON c.id = k.customer_id
WHERE k.day = @on::date AND k.b0 + k.b1 + k.b2 + k.b3 + k.b4 + k.b5 > 0
GROUP BY 2, 3, 4`
)

// ForecastDue is open invoices (minor units) of the customers of a snapshot
// expected on one day: for customers with their own observed delay (Own),
// on their due date plus that delay (no earlier than the as-of date and no
// later than the horizon asked: the weeks are all that matters), else on
// their due date, with the entity and category whose delays apply.
type ForecastDue struct {
	Own      bool
	EntityID int64
	Category string
	Currency money.Currency
	On       dunning.Date
	Minor    int64
}

// ForecastSums is a forecast's open invoices and the receipts of the delay
// window ending at its date, added up from the snapshot of that date.
type ForecastSums struct {
	Due []ForecastDue
	// Receipts' sums by entity, category and currency (CustomerID 0): what
	// the segment's and entity's delays are made of.
	Groups []PaymentDelay
}

const forecastDueColumns = `
SELECT k.expected IS NOT NULL, CASE WHEN k.expected IS NULL THEN c.entity_id ELSE 0 END,
       CASE WHEN k.expected IS NULL THEN c.category ELSE '' END, k.currency, coalesce(k.expected, k.due_date),
       sum(k.open_minor)::bigint`

// entityScope keeps the groups (alias g) of @entity inside a perimeter of
// whole entities (Perimeter.byEntity).
const entityScope = `(@entity::text = '' OR g.entity_id = (SELECT id FROM entities WHERE code = @entity::text))
  AND (@p_all::boolean OR @p_entities::bigint[] IS NULL OR g.entity_id = ANY (@p_entities::bigint[]))`

const forecastDelayColumns = `
SELECT 0::bigint, c.entity_id, c.category, k.currency, sum(k.amount)::bigint, sum(k.amount_days)::text`

const (
	forecastDue = forecastDueColumns + `
FROM kpi_snapshot_due k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE k.day = @on::date AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2, 3, 4, 5`

	// forecastDuePortfolio looks a portfolio's customers up, as agingSnapshotPortfolio.
	forecastDuePortfolio = forecastDueColumns + `
FROM customers c
JOIN entities e ON e.id = c.entity_id
CROSS JOIN LATERAL (SELECT * FROM kpi_snapshot_due k WHERE k.day = @on::date AND k.customer_id = c.id OFFSET 0) k
WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2, 3, 4, 5`

	// forecastDueGroups is forecastDue from the day's sums by entity.
	forecastDueGroups = `
SELECT g.own, CASE WHEN g.own THEN 0 ELSE g.entity_id END, g.category, g.currency, g.on_date, sum(g.open_minor)::bigint
FROM kpi_snapshot_due_groups g
WHERE g.day = @on::date AND ` + entityScope + `
GROUP BY 1, 2, 3, 4, 5`

	forecastDelayGroupsByEntity = `
SELECT 0::bigint, g.entity_id, g.category, g.currency, g.amount, g.amount_days::text
FROM kpi_snapshot_receipt_groups g
WHERE g.day = @on::date AND ` + entityScope

	forecastDelayGroups = forecastDelayColumns + `
FROM kpi_snapshot_receipts k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE k.day = @on::date AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 2, 3, 4`

	forecastDelayGroupsPortfolio = forecastDelayColumns + `
FROM customers c
JOIN entities e ON e.id = c.entity_id
CROSS JOIN LATERAL (SELECT * FROM kpi_snapshot_receipts k WHERE k.day = @on::date AND k.customer_id = c.id OFFSET 0) k
WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 2, 3, 4`

	forecastCustomerDelays = `
SELECT DISTINCT k.customer_id, k.delay FROM kpi_snapshot_due k
WHERE k.day = @on::date AND k.customer_id = ANY (@customers::bigint[]) AND k.delay IS NOT NULL`

	// forecastDisputed: the invoices of the disputes open at @cut (forecastOpen's).
	forecastDisputed = `
SELECT DISTINCT ci.invoice_id FROM case_invoices ci JOIN cases k ON k.id = ci.case_id
WHERE k.type = 'dispute' AND k.opened_at < @cut
  AND (k.decided_at IS NULL OR k.decided_at >= @cut) AND (k.closed_at IS NULL OR k.closed_at >= @cut)`
)

// ForecastSums reads the forecast's sums from the snapshot of f.On (built
// or rebuilt first), the expected days no later than f.On +
// ForecastHorizonDays. ok is false
// when the snapshot cannot be read (see snapshot): read invoice by invoice.
func (s *Store) ForecastSums(ctx context.Context, per Perimeter, f KPIFilter) (sums ForecastSums, ok bool, err error) {
	if ok, err = s.snapshot(ctx, f); !ok || err != nil {
		return sums, ok, err
	}
	due, groups := forecastDue, forecastDelayGroups
	switch {
	case per.byEntity():
		due, groups = forecastDueGroups, forecastDelayGroupsByEntity
	case per.portfolio():
		due, groups = forecastDuePortfolio, forecastDelayGroupsPortfolio
	}
	args := f.args(per, nil)
	rows, err := s.Pool.Query(ctx, due, args)
	if err != nil {
		return sums, false, err
	}
	sums.Due, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ForecastDue, error) {
		var d ForecastDue
		var cur string
		var on time.Time
		if err := r.Scan(&d.Own, &d.EntityID, &d.Category, &cur, &on, &d.Minor); err != nil {
			return d, err
		}
		d.On = dunning.DateOf(on)
		var err error
		d.Currency, err = money.ParseCurrency(cur)
		return d, err
	})
	if err != nil {
		return sums, false, err
	}
	if sums.Groups, err = s.paymentDelays(ctx, groups, args); err != nil {
		return sums, false, err
	}
	return sums, true, nil
}

// CustomerDelays is the own observed delay (whole days) of each of the
// customers that has one in the snapshot of on, which ForecastSums built.
func (s *Store) CustomerDelays(ctx context.Context, on dunning.Date, customers []int64) (map[int64]int, error) {
	rows, err := s.Pool.Query(ctx, forecastCustomerDelays, pgx.NamedArgs{"on": on.String(), "customers": customers})
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	var id int64
	var days int
	_, err = pgx.ForEachRow(rows, []any{&id, &days}, func() error { out[id] = days; return nil })
	return out, err
}

// DisputedAt is the invoices of the disputes open at the end of f.On (any
// perimeter: ForecastOpenOf keeps to it).
func (s *Store) DisputedAt(ctx context.Context, f KPIFilter) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, forecastDisputed, pgx.NamedArgs{"cut": f.Cut()})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// receiptsAfter: the receipts (as receiptFrom and receiptWhere count them,
// through invoice_open_history_receipts_idx) recorded from @cut to @until on
// the invoices inside the perimeter open at @cut (those of the snapshot of
// @on, whose rows are invoices), but the invoices @except.
const (
	receiptsAfterAll       = receiptsAfterOpen + receiptsOpenAll + receiptsAfterRest
	receiptsAfterScoped    = receiptsAfterOpen + receiptsOpenScoped + receiptsAfterRest
	receiptsAfterPortfolio = receiptsAfterOpen + receiptsOpenPortfolio + receiptsAfterRest
)

const receiptsAfterOpen = `
WITH open AS (SELECT u.id, k.currency`

const receiptsAfterRest = `),
written_off AS (SELECT id FROM invoices WHERE status = 'written_off')
SELECT (h.at AT TIME ZONE 'UTC')::date, o.currency, sum(-h.change_minor)::bigint
FROM invoice_open_history h
JOIN open o ON o.id = h.invoice_id
WHERE h.change_minor < 0 AND h.source IN ('payment', 'erp') AND h.at >= @cut AND h.at < @until
  AND NOT (h.open_minor = 0 AND h.invoice_id IN (SELECT id FROM written_off))
  AND NOT (h.invoice_id = ANY (@except::bigint[]))
GROUP BY 1, 2
ORDER BY 1, 2`

const (
	receiptsOpenAll = `
FROM kpi_snapshot_due k CROSS JOIN LATERAL unnest(k.invoice_ids) AS u (id)
WHERE k.day = @on::date`
	receiptsOpenScoped = `
FROM kpi_snapshot_due k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
CROSS JOIN LATERAL unnest(k.invoice_ids) AS u (id)
WHERE k.day = @on::date AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause
	receiptsOpenPortfolio = `
FROM customers c
JOIN entities e ON e.id = c.entity_id
CROSS JOIN LATERAL (SELECT * FROM kpi_snapshot_due k WHERE k.day = @on::date AND k.customer_id = c.id OFFSET 0) k
CROSS JOIN LATERAL unnest(k.invoice_ids) AS u (id)
WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause
)

// The back-test's receipts from the snapshot (kpi_snapshot_after).
const (
	receiptsAfterGroups = `
SELECT g.on_date, g.currency, sum(g.minor)::bigint
FROM kpi_snapshot_after_groups g
WHERE g.day = @on::date AND g.on_date <= @to::date AND ` + entityScope + `
GROUP BY 1, 2`
	receiptsAfterCustomers = `
SELECT k.on_date, k.currency, sum(k.minor)::bigint
FROM kpi_snapshot_after k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE k.day = @on::date AND k.on_date <= @to::date AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2`
	receiptsAfterOfPortfolio = `
SELECT k.on_date, k.currency, sum(k.minor)::bigint
FROM customers c
JOIN entities e ON e.id = c.entity_id
CROSS JOIN LATERAL (SELECT * FROM kpi_snapshot_after k WHERE k.day = @on::date AND k.customer_id = c.id OFFSET 0) k
WHERE k.on_date <= @to::date AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2`

	snapshotAfterState = `SELECT EXISTS (SELECT 1 FROM kpi_snapshot_days WHERE day = @on::date),
       EXISTS (SELECT 1 FROM kpi_snapshot_after_stale WHERE day = @on::date)`
	snapshotAfterTaken = `DELETE FROM kpi_snapshot_after_stale WHERE day = @on::date RETURNING customer_id`
	snapshotDropAfter  = `DELETE FROM kpi_snapshot_after WHERE day = @on::date AND customer_id = ANY (@customers::bigint[])`
)

// snapshotAfter says whether the back-test's receipts of the built day f.On
// may be read from kpi_snapshot_after, rebuilding the customers later
// receipts marked first; false when the day is not built or a writer holds
// the lock (see snapshot).
func (s *Store) snapshotAfter(ctx context.Context, f KPIFilter) (bool, error) {
	a := pgx.NamedArgs{"on": f.On.String(), "cut": f.Cut(), "horizon": ForecastHorizonDays, "some": true}
	var built, stale bool
	if err := s.Pool.QueryRow(ctx, snapshotAfterState, a).Scan(&built, &stale); err != nil || !built || !stale {
		return built, err
	}
	usable := false
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, snapshotTry, pgx.NamedArgs{"key": int64(snapshotLock)}).Scan(&locked); err != nil || !locked {
			return err
		}
		if err := tx.QueryRow(ctx, snapshotAfterState, a).Scan(&built, &stale); err != nil || !built {
			return err
		}
		rows, err := tx.Query(ctx, snapshotAfterTaken, a)
		if err != nil {
			return err
		}
		if a["customers"], err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		for _, q := range []string{snapshotDropAfter, snapshotAfterBuild, snapshotAfterGroupsDrop, snapshotAfterGroups} {
			if _, err := tx.Exec(ctx, q, a); err != nil {
				return err
			}
		}
		usable = true
		return nil
	})
	return usable, err
}

// ReceiptsAfter is the receipts recorded after the end of f.On up to the end
// of to on the invoices inside per open then (but except), by day and
// currency: what a forecast of those invoices made at f.On is compared with.
// It reads them from the snapshot of f.On, which ForecastSums built, less
// the receipts of except; or, when that cannot be read, the receipts after
// f.On on the invoices the snapshot lists open.
func (s *Store) ReceiptsAfter(ctx context.Context, per Perimeter, f KPIFilter, to dunning.Date, except []int64) ([]DayReceipts, error) {
	ok, err := s.snapshotAfter(ctx, f)
	if err != nil {
		return nil, err
	}
	if ok {
		return s.receiptsAfterSnapshot(ctx, per, f, to, except)
	}
	query := receiptsAfterScoped
	switch {
	case per.everyone() && f.Entity == "":
		query = receiptsAfterAll
	case per.portfolio():
		query = receiptsAfterPortfolio
	}
	rows, err := s.Pool.Query(ctx, query, f.args(per, pgx.NamedArgs{"until": to.AddDays(1).In(time.UTC), "except": except}))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanDayAmount)
}

func (s *Store) receiptsAfterSnapshot(ctx context.Context, per Perimeter, f KPIFilter, to dunning.Date, except []int64) ([]DayReceipts, error) {
	query := receiptsAfterCustomers
	switch {
	case per.byEntity():
		query = receiptsAfterGroups
	case per.portfolio():
		query = receiptsAfterOfPortfolio
	}
	rows, err := s.Pool.Query(ctx, query, f.args(per, pgx.NamedArgs{"to": to.String()}))
	if err != nil {
		return nil, err
	}
	all, err := pgx.CollectRows(rows, scanDayAmount)
	if err != nil {
		return nil, err
	}
	// except are open invoices inside per (the disputed ones): their
	// receipts are in the sums, taken back out here.
	out, err := s.ReceiptsByDay(ctx, except, f.On.AddDays(1), to)
	if err != nil {
		return nil, err
	}
	type key struct {
		on  dunning.Date
		cur string
	}
	sums := map[key]int64{}
	for _, r := range out {
		sums[key{r.On, r.Currency.Code()}] -= r.Minor
	}
	for _, r := range all {
		sums[key{r.On, r.Currency.Code()}] += r.Minor
	}
	res := []DayReceipts{}
	for k, v := range sums {
		if v != 0 {
			res = append(res, DayReceipts{On: k.on, Currency: money.MustCurrency(k.cur), Minor: v})
		}
	}
	slices.SortFunc(res, func(x, y DayReceipts) int {
		return cmp.Or(x.On.Compare(y.On), cmp.Compare(x.Currency.Code(), y.Currency.Code()))
	})
	return res, nil
}
