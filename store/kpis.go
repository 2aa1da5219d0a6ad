package store

import (
	"context"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/dunning"
	"recoup/money"
)

// The collection figures (aged balance, DSO, top overdue) of a past date are
// read from invoice_open_history (migration 00026), never from the current
// state: as of a date means what Recoup knew at the end of that day (UTC).

// KPIGroup is what an aged balance is grouped by; "" is one total.
type KPIGroup string

const (
	GroupTotal    KPIGroup = ""
	GroupEntity   KPIGroup = "entity"
	GroupAgent    KPIGroup = "agent"
	GroupCategory KPIGroup = "category"
	GroupCountry  KPIGroup = "country"
	GroupCustomer KPIGroup = "customer"
)

// KPIGroups are the groupings a caller may ask for.
var KPIGroups = []KPIGroup{GroupEntity, GroupAgent, GroupCategory, GroupCountry, GroupCustomer}

// KPIFilter says which receivables a figure counts: those inside the
// perimeter, of one entity (code) when set, as known at the end of On.
// Segments are the first days, ascending, of the periods the credit sales of
// On's snapshot are summed by (at most MaxSalesSegments; app's countback
// months and DSO period): without them the figures are read from the history.
type KPIFilter struct {
	On       dunning.Date
	Entity   string
	Segments []dunning.Date
}

// Cut is the instant the figures of f are read at: the start of the next day, UTC.
func (f KPIFilter) Cut() time.Time { return f.On.AddDays(1).In(time.UTC) }

func (f KPIFilter) args(per Perimeter, more pgx.NamedArgs) pgx.NamedArgs {
	a := per.args(more)
	a["cut"], a["on"], a["entity"] = f.Cut(), f.On.String(), f.Entity
	return a
}

// Aging buckets, by days past due on the as-of date.
const (
	BucketNotDue  = iota // due on or after the as-of date
	Bucket1To30          // 1–30 days past due
	Bucket31To60         // 31–60
	Bucket61To90         // 61–90
	Bucket91To120        // 91–120
	BucketOver120        // more than 120
	NumBuckets
)

// BucketNames name the buckets in the API and CSV exports, in bucket order.
var BucketNames = [NumBuckets]string{"not_due", "1_30", "31_60", "61_90", "91_120", "over_120"}

// AgingRow is what the customers of one group owe in one currency, in minor units.
type AgingRow struct {
	Key, Label string // entity code and name, agent email and name, category, country, customer external id and name
	Currency   money.Currency
	Buckets    [NumBuckets]int64 // open invoices by days past due
	Credits    int64             // open credit notes and unallocated payments (payments in advance), as a negative amount
	// OverdueDays is the sum over overdue invoices of open amount × days past
	// due (minor unit-days): the numerator of the average days delinquent.
	OverdueDays *big.Int
}

// openAsOf is each invoice's latest history row before @cut.
const openAsOf = `asof AS (
    SELECT DISTINCT ON (h.invoice_id) h.invoice_id, h.open_minor, h.due_date
    FROM invoice_open_history h
    WHERE h.at < @cut
    ORDER BY h.invoice_id, h.at DESC, h.id DESC)`

const agingAsOf = `
WITH ` + openAsOf + `,
items AS (
    SELECT i.customer_id, i.currency, i.type = 'credit_note' AS credit, @on::date - a.due_date AS days, a.open_minor AS amount
    FROM asof a JOIN invoices i ON i.id = a.invoice_id
    WHERE a.open_minor > 0
    UNION ALL
    SELECT p.customer_id, p.currency, true, 0, p.unallocated_minor
    FROM payments p WHERE p.created_at < @cut AND p.unallocated_minor > 0)
SELECT CASE @group::text WHEN 'entity' THEN e.code WHEN 'agent' THEN coalesce(u.email, '') WHEN 'category' THEN c.category
            WHEN 'country' THEN c.country WHEN 'customer' THEN c.external_id ELSE '' END,
       CASE @group::text WHEN 'entity' THEN e.name WHEN 'agent' THEN coalesce(u.name, '') WHEN 'customer' THEN c.name ELSE '' END,
       it.currency,
       coalesce(sum(it.amount) FILTER (WHERE NOT it.credit AND it.days <= 0), 0)::bigint,
       coalesce(sum(it.amount) FILTER (WHERE NOT it.credit AND it.days BETWEEN 1 AND 30), 0)::bigint,
       coalesce(sum(it.amount) FILTER (WHERE NOT it.credit AND it.days BETWEEN 31 AND 60), 0)::bigint,
       coalesce(sum(it.amount) FILTER (WHERE NOT it.credit AND it.days BETWEEN 61 AND 90), 0)::bigint,
       coalesce(sum(it.amount) FILTER (WHERE NOT it.credit AND it.days BETWEEN 91 AND 120), 0)::bigint,
       coalesce(sum(it.amount) FILTER (WHERE NOT it.credit AND it.days > 120), 0)::bigint,
       coalesce(sum(it.amount) FILTER (WHERE it.credit), 0)::bigint,
       coalesce(sum(it.amount::numeric * it.days) FILTER (WHERE NOT it.credit AND it.days > 0), 0)::text
FROM items it
JOIN customers c ON c.id = it.customer_id
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users u ON u.id = c.agent_id
WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2, 3
ORDER BY 1, 3`

// AgingAsOf is the aged balance of the receivables inside per as of f.On, by
// group and currency (amounts of different currencies are never summed here).
func (s *Store) AgingAsOf(ctx context.Context, per Perimeter, f KPIFilter, group KPIGroup) ([]AgingRow, error) {
	query := agingAsOf
	if ok, err := s.snapshot(ctx, f); err != nil {
		return nil, err
	} else if ok {
		switch {
		case group == GroupTotal && per.everyone() && f.Entity == "":
			query = agingSnapshotAll
		case per.portfolio():
			query = agingSnapshotPortfolio
		default:
			query = agingSnapshot
		}
	}
	rows, err := s.Pool.Query(ctx, query, f.args(per, pgx.NamedArgs{"group": string(group)}))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAging)
}

const invoiceOpenAsOf = `
WITH ` + openAsOf + `
SELECT a.invoice_id, a.open_minor FROM asof a WHERE a.invoice_id = ANY (@ids::bigint[])`

// InvoicesOpenAsOf is the receivable amount (open, 0 once written off) of each
// of the invoices ids as Recoup knew it just before cut; an invoice Recoup did
// not know yet is absent.
func (s *Store) InvoicesOpenAsOf(ctx context.Context, cut time.Time, ids []int64) (map[int64]int64, error) {
	rows, err := s.Pool.Query(ctx, invoiceOpenAsOf, pgx.NamedArgs{"cut": cut, "ids": ids})
	if err != nil {
		return nil, err
	}
	out := map[int64]int64{}
	var id, open int64
	_, err = pgx.ForEachRow(rows, []any{&id, &open}, func() error { out[id] = open; return nil })
	return out, err
}

// DayAmount is an amount of one day in one currency, in minor units.
type DayAmount struct {
	On       dunning.Date
	Currency money.Currency
	Minor    int64
}

// DaySales is what was invoiced on one day in one currency, less the credit
// notes issued that day.
type DaySales = DayAmount

// scanDayAmount reads a (date, currency, minor units) row.
func scanDayAmount(r pgx.CollectableRow) (DayAmount, error) {
	var d DayAmount
	var on time.Time
	var cur string
	if err := r.Scan(&on, &cur, &d.Minor); err != nil {
		return d, err
	}
	d.On = dunning.DateOf(on)
	var err error
	d.Currency, err = money.ParseCurrency(cur)
	return d, err
}

// salesByDay counts invoices and credit notes Recoup knew of at @cut.
const salesByDay = `
SELECT i.issue_date, i.currency, sum(CASE WHEN i.type = 'invoice' THEN i.amount_minor ELSE -i.amount_minor END)::bigint
FROM invoices i
JOIN customers c ON c.id = i.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE i.issue_date BETWEEN @from::date AND @on::date
  AND EXISTS (SELECT 1 FROM invoice_open_history h WHERE h.invoice_id = i.id AND h.at < @cut)
  AND (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `
GROUP BY 1, 2
ORDER BY 1, 2`

// SalesByDay is the credit sales inside per issued from from to f.On
// (inclusive), by day and currency, as known at the end of f.On.
func (s *Store) SalesByDay(ctx context.Context, per Perimeter, f KPIFilter, from dunning.Date) ([]DaySales, error) {
	rows, err := s.Pool.Query(ctx, salesByDay, f.args(per, pgx.NamedArgs{"from": from.String()}))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanDayAmount)
}

// OverdueCustomer is one customer's overdue receivables as of a date.
type OverdueCustomer struct {
	CustomerID       int64
	ExternalID, Name string
	Entity, Agent    string // entity code, agent email ("" none)
	Overdue, Over60  money.Money
	DaysOverdue      int // of its oldest overdue invoice
}

// TopOverdueResult is the most overdue customers that have a rate, and the
// currencies of overdue customers that have none (they cannot be ranked).
type TopOverdueResult struct {
	Customers   []OverdueCustomer
	MissingRate []money.Currency
}

// topOverdue ranks customers by overdue amount times the rate to the
// reporting currency (exact numeric); customers whose currency has no rate
// are left out of the ranking and only their currency is returned.
const topOverdue = `
WITH ` + openAsOf + `,
per_customer AS (
    SELECT i.customer_id, sum(a.open_minor)::bigint AS overdue,
           coalesce(sum(a.open_minor) FILTER (WHERE @on::date - a.due_date > 60), 0)::bigint AS over60,
           max(@on::date - a.due_date) AS days
    FROM asof a JOIN invoices i ON i.id = a.invoice_id
    WHERE a.open_minor > 0 AND i.type = 'invoice' AND a.due_date < @on::date
    GROUP BY i.customer_id),` + topOverdueRanked

// topOverdueSnapshot is topOverdue over the snapshot of @on; it ranks on
// the few columns the ranking needs and joins names for the top rows only.
const topOverdueSnapshot = `
WITH per_customer AS (
    SELECT k.customer_id, k.overdue, k.over60, @on::date - k.oldest_overdue AS days
    FROM kpi_snapshot_overdue k
    WHERE k.day = @on::date),
scoped AS (
    SELECT o.customer_id, c.currency, o.overdue, o.over60, o.days, r.rate
    FROM per_customer o
    JOIN customers c ON c.id = o.customer_id
    JOIN entities e ON e.id = c.entity_id
    LEFT JOIN unnest(@rate_from::text[], @rate_value::numeric[]) AS r (currency, rate) ON r.currency = c.currency
    WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `),
top AS (SELECT * FROM scoped WHERE rate IS NOT NULL ORDER BY overdue * rate DESC, customer_id LIMIT @limit)
(SELECT c.id, c.external_id, c.name, e.code, coalesce(u.email, ''), c.currency, t.overdue, t.over60, t.days, true
 FROM top t
 JOIN customers c ON c.id = t.customer_id
 JOIN entities e ON e.id = c.entity_id
 LEFT JOIN users u ON u.id = c.agent_id
 ORDER BY t.overdue * t.rate DESC, t.customer_id)
UNION ALL
(SELECT DISTINCT ON (currency) 0, '', '', '', '', currency, 0, 0, 0, false FROM scoped WHERE rate IS NULL ORDER BY currency)`

const topOverdueRanked = `
ranked AS (
    SELECT c.id, c.external_id, c.name, e.code, coalesce(u.email, '') AS agent, c.currency, o.overdue, o.over60, o.days, r.rate
    FROM per_customer o
    JOIN customers c ON c.id = o.customer_id
    JOIN entities e ON e.id = c.entity_id
    LEFT JOIN users u ON u.id = c.agent_id
    LEFT JOIN unnest(@rate_from::text[], @rate_value::numeric[]) AS r (currency, rate) ON r.currency = c.currency
    WHERE (@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause + `)
(SELECT id, external_id, name, code, agent, currency, overdue, over60, days, true FROM ranked
 WHERE rate IS NOT NULL ORDER BY overdue * rate DESC, id LIMIT @limit)
UNION ALL
(SELECT DISTINCT ON (currency) 0, '', '', '', '', currency, 0, 0, 0, false FROM ranked WHERE rate IS NULL ORDER BY currency)`

// TopOverdue is the limit customers inside per with the most overdue as of
// f.On, ranked in the reporting currency with rates (each the rate of one
// currency to it).
func (s *Store) TopOverdue(ctx context.Context, per Perimeter, f KPIFilter, rates []Rate, limit int) (TopOverdueResult, error) {
	from, value := make([]string, len(rates)), make([]string, len(rates))
	for i, r := range rates {
		from[i], value[i] = r.From, r.Value
	}
	query := topOverdue
	if ok, err := s.snapshot(ctx, f); err != nil {
		return TopOverdueResult{}, err
	} else if ok {
		query = topOverdueSnapshot
	}
	rows, err := s.Pool.Query(ctx, query, f.args(per, pgx.NamedArgs{"rate_from": from, "rate_value": value, "limit": limit}))
	if err != nil {
		return TopOverdueResult{}, err
	}
	var res TopOverdueResult
	var o OverdueCustomer
	var cur string
	var overdue, over60 int64
	var ranked bool
	_, err = pgx.ForEachRow(rows, []any{&o.CustomerID, &o.ExternalID, &o.Name, &o.Entity, &o.Agent, &cur, &overdue, &over60,
		&o.DaysOverdue, &ranked}, func() error {
		c, err := money.ParseCurrency(cur)
		if err != nil {
			return err
		}
		if !ranked {
			res.MissingRate = append(res.MissingRate, c)
			return nil
		}
		o.Overdue, o.Over60 = money.Money{Minor: overdue, Currency: c}, money.Money{Minor: over60, Currency: c}
		res.Customers = append(res.Customers, o)
		return nil
	})
	return res, err
}
