package store

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/money"
)

// Per-account figures: what the accounts list shows beside each account and
// what user-defined columns compute with (README "Per-account figures").
// They are read from the current state at one instant, each account's
// dates in its own time zone, all in the account's currency.

// SalesWindowDays is the period of credit sales behind an account's DSO.
const SalesWindowDays = 90

// PayHistoryMonths is how far back the payments behind average days to pay go.
const PayHistoryMonths = 12

// AccountFigures are one account's figures, amounts in minor units of Currency.
type AccountFigures struct {
	CustomerID, EntityID int64
	Currency             money.Currency
	OpenInvoices         int64             // open invoices (and disputed ones)
	OpenCredits          int64             // open credit notes
	Unallocated          int64             // payments not allocated to an invoice (paid in advance)
	Buckets              [NumBuckets]int64 // open invoices by days past due
	OldestOverdueDays    int               // days past due of the oldest overdue invoice; 0 when none
	Sales                int64             // invoices less credit notes issued in the SalesWindowDays to today
	// PaidMinor is what payments received in the PayHistoryMonths to today
	// allocated to invoices; PaidDays and PaidDelay the sums over those
	// allocations of amount × (payment date − issue date) and amount ×
	// (payment date − due date), in minor unit-days.
	PaidMinor           int64
	PaidDays, PaidDelay *big.Int
	CreditLimit         *int64 // nil: none set
	OpenOrders          *int64 // orders the ERP says are not invoiced yet; nil: it does not send them
	RiskClass           string
	Disputed            int64      // disputed on the invoices of open disputes
	Promised            int64      // open promises to pay
	LastContact         *time.Time // the last message sent or call done; nil: never
}

// Outstanding is what the account owes: open invoices less open credit notes
// and unallocated payments (the receivables of the KPIs).
func (f AccountFigures) Outstanding() int64 { return f.OpenInvoices - f.OpenCredits - f.Unallocated }

// LimitUse is the use of the credit limit in percent: (Outstanding + open
// orders) ÷ the limit × 100, exact; nil with no limit (or a zero one, where
// any use is infinite). All three are in the customer's one currency.
func (f AccountFigures) LimitUse() *big.Rat {
	if f.CreditLimit == nil || *f.CreditLimit <= 0 {
		return nil
	}
	used := f.Outstanding()
	if f.OpenOrders != nil {
		used += *f.OpenOrders
	}
	return new(big.Rat).SetFrac(big.NewInt(used*100), big.NewInt(*f.CreditLimit))
}

// Overdue is the open invoices past due.
func (f AccountFigures) Overdue() int64 {
	var n int64
	for _, b := range f.Buckets[Bucket1To30:] {
		n += b
	}
	return n
}

// Over60 is the open invoices more than 60 days past due.
func (f AccountFigures) Over60() int64 {
	return f.Buckets[Bucket61To90] + f.Buckets[Bucket91To120] + f.Buckets[BucketOver120]
}

// DSO is the account's DSO in days: Outstanding ÷ Sales × SalesWindowDays;
// nil without sales (none, or credit notes outweighing invoices).
func (f AccountFigures) DSO() *big.Rat {
	if f.Sales <= 0 {
		return nil
	}
	return new(big.Rat).SetFrac(big.NewInt(f.Outstanding()*SalesWindowDays), big.NewInt(f.Sales))
}

// DaysToPay is the amount-weighted average of payment date − issue date over
// the payments of the PayHistoryMonths; nil with no such payment.
func (f AccountFigures) DaysToPay() *big.Rat { return f.perPaid(f.PaidDays) }

// PaymentDelay is the same average of payment date − due date (negative: early).
func (f AccountFigures) PaymentDelay() *big.Rat { return f.perPaid(f.PaidDelay) }

func (f AccountFigures) perPaid(sum *big.Int) *big.Rat {
	if f.PaidMinor <= 0 || sum == nil {
		return nil
	}
	return new(big.Rat).SetFrac(sum, big.NewInt(f.PaidMinor))
}

// accountFigures reads the figures of the customers @ids inside the
// perimeter at the instant @at. Each part is a lateral aggregate over one
// customer's rows, on the indexes by customer.
const accountFigures = `
SELECT c.id, c.entity_id, c.currency, c.credit_limit_minor, c.open_orders_minor, c.risk_class,
       coalesce(o.invoices, 0), coalesce(o.credits, 0), coalesce(u.unallocated, 0),
       coalesce(o.b0, 0), coalesce(o.b1, 0), coalesce(o.b2, 0), coalesce(o.b3, 0), coalesce(o.b4, 0), coalesce(o.b5, 0),
       coalesce(o.oldest, 0), coalesce(s.sales, 0),
       coalesce(pay.paid, 0), coalesce(pay.days, 0)::text, coalesce(pay.delay, 0)::text,
       coalesce(dsp.disputed, 0), coalesce(pr.promised, 0),
       nullif(greatest(coalesce(t.last_contact, '-infinity'), coalesce(calls.at, '-infinity')), '-infinity')
FROM customers c
JOIN customer_totals t ON t.customer_id = c.id
CROSS JOIN LATERAL (SELECT (@at::timestamptz AT TIME ZONE c.timezone)::date AS today) d
CROSS JOIN LATERAL (
    SELECT sum(i.open_minor) FILTER (WHERE i.type = 'invoice') AS invoices,
           sum(i.open_minor) FILTER (WHERE i.type = 'credit_note') AS credits,
           sum(i.open_minor) FILTER (WHERE i.type = 'invoice' AND d.today - i.due_date <= 0) AS b0,
           sum(i.open_minor) FILTER (WHERE i.type = 'invoice' AND d.today - i.due_date BETWEEN 1 AND 30) AS b1,
           sum(i.open_minor) FILTER (WHERE i.type = 'invoice' AND d.today - i.due_date BETWEEN 31 AND 60) AS b2,
           sum(i.open_minor) FILTER (WHERE i.type = 'invoice' AND d.today - i.due_date BETWEEN 61 AND 90) AS b3,
           sum(i.open_minor) FILTER (WHERE i.type = 'invoice' AND d.today - i.due_date BETWEEN 91 AND 120) AS b4,
           sum(i.open_minor) FILTER (WHERE i.type = 'invoice' AND d.today - i.due_date > 120) AS b5,
           max(d.today - i.due_date) FILTER (WHERE i.type = 'invoice' AND i.due_date < d.today) AS oldest
    FROM invoices i
    WHERE i.customer_id = c.id AND i.status IN ('open', 'disputed') AND i.open_minor > 0) o
CROSS JOIN LATERAL (
    SELECT sum(p.unallocated_minor) AS unallocated FROM payments p
    WHERE p.customer_id = c.id AND p.unallocated_minor > 0) u
CROSS JOIN LATERAL (
    SELECT sum(CASE WHEN i.type = 'invoice' THEN i.amount_minor ELSE -i.amount_minor END) AS sales
    FROM invoices i
    WHERE i.customer_id = c.id AND i.issue_date > d.today - @window::int AND i.issue_date <= d.today) s
CROSS JOIN LATERAL (
    SELECT sum(a.amount_minor) AS paid,
           sum(a.amount_minor::numeric * (p.received_on - i.issue_date)) AS days,
           sum(a.amount_minor::numeric * (p.received_on - i.due_date)) AS delay
    FROM payments p
    JOIN payment_allocations a ON a.payment_id = p.id
    JOIN invoices i ON i.id = a.invoice_id
    WHERE p.customer_id = c.id AND i.type = 'invoice'
      AND p.received_on > (d.today - make_interval(months => @months::int))::date AND p.received_on <= d.today) pay
CROSS JOIN LATERAL (
    SELECT sum(ci.disputed_minor) AS disputed
    FROM cases k JOIN case_invoices ci ON ci.case_id = k.id
    WHERE k.customer_id = c.id AND k.type = 'dispute' AND k.status IN ('open', 'waiting_customer')
      AND ci.currency = c.currency) dsp
CROSS JOIN LATERAL (
    SELECT sum(pm.amount_minor) AS promised FROM promises pm
    WHERE pm.customer_id = c.id AND pm.status = 'open' AND pm.currency = c.currency) pr
CROSS JOIN LATERAL (
    SELECT max(tk.closed_at) AS at FROM tasks tk
    WHERE tk.customer_id = c.id AND tk.kind = 'call' AND tk.status = 'done') calls
WHERE c.id = ANY (@ids::bigint[]) AND ` + perimeterClause

// AccountFigures reads the figures of the customers ids that are inside per,
// at the instant at (their dates in their own time zones), by customer id;
// ids outside the perimeter are left out.
func (s *Store) AccountFigures(ctx context.Context, per Perimeter, ids []int64, at time.Time) (map[int64]AccountFigures, error) {
	out := make(map[int64]AccountFigures, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.Pool.Query(ctx, accountFigures, per.args(pgx.NamedArgs{
		"ids": ids, "at": at, "window": SalesWindowDays, "months": PayHistoryMonths,
	}))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f AccountFigures
		var cur, days, delay string
		err := rows.Scan(&f.CustomerID, &f.EntityID, &cur, &f.CreditLimit, &f.OpenOrders, &f.RiskClass,
			&f.OpenInvoices, &f.OpenCredits, &f.Unallocated,
			&f.Buckets[0], &f.Buckets[1], &f.Buckets[2], &f.Buckets[3], &f.Buckets[4], &f.Buckets[5],
			&f.OldestOverdueDays, &f.Sales, &f.PaidMinor, &days, &delay, &f.Disputed, &f.Promised, &f.LastContact)
		if err != nil {
			return nil, err
		}
		if f.Currency, err = money.ParseCurrency(cur); err != nil {
			return nil, fmt.Errorf("customer %d: %w", f.CustomerID, err)
		}
		var ok1, ok2 bool
		f.PaidDays, ok1 = new(big.Int).SetString(days, 10)
		f.PaidDelay, ok2 = new(big.Int).SetString(delay, 10)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("customer %d: days to pay %q, %q", f.CustomerID, days, delay)
		}
		out[f.CustomerID] = f
	}
	return out, rows.Err()
}
