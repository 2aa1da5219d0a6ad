package store

// What the customer notices of a promise or a payment plan need: is it still
// open, what is left unpaid, its schedule. The notices themselves go through
// the message log (ClaimMessage, FinishMessage) like every reminder.

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/money"
)

// PromiseNotice is a promise as its reminder sees it.
type PromiseNotice struct {
	Promise
	OpenNow int64 // what its invoices still owe, minor units
}

// Unpaid reports whether the promise is open and not yet kept by what was paid.
func (p PromiseNotice) Unpaid() bool {
	return p.Status == PromiseOpen && !kept(p.OpenNow, p.Amount.Minor, p.CoveredOpen)
}

const getPromiseNotice = `SELECT ` + promiseColumns + `, ` + promiseOpenNow + ` FROM promises p WHERE p.id = @id`

// PromiseNotice reads a promise and what its invoices still owe; an unknown one is not found.
func (s *Store) PromiseNotice(ctx context.Context, id int64) (PromiseNotice, error) {
	var n PromiseNotice
	var err error
	n.Promise, err = scanPromise(s.Pool.QueryRow(ctx, getPromiseNotice, pgx.NamedArgs{"id": id}), &n.OpenNow)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, domain.Errorf(domain.CodeNotFound, "promise %d not found", id)
	}
	return n, err
}

// PlanNotice is a payment plan as its confirmation and reminders see it.
type PlanNotice struct {
	ID          int64
	CustomerID  int64
	InvoiceIDs  []int64
	Total       money.Money
	Status      PlanStatus
	OpenNow     int64 // what its invoices still owe, minor units
	Instalments []Instalment
}

// InstalmentUnpaid reports whether instalment seq of an open plan is still
// pending and not yet covered by what was paid since the plan was made
// (paying ahead covers the next instalments in turn).
func (p PlanNotice) InstalmentUnpaid(seq int) bool {
	if p.Status != PlanOpen || p.OpenNow == 0 {
		return false
	}
	paid := max(p.Total.Minor-p.OpenNow, 0)
	var cumulative int64
	for _, in := range p.Instalments {
		cumulative += in.Amount
		if in.Seq == seq {
			return in.Status == "pending" && paid < cumulative
		}
	}
	return false
}

const getPlanNotice = `
SELECT p.id, p.customer_id, p.invoice_ids, p.currency, p.total_minor, p.status, ` + promiseOpenNow + `,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('seq', i.seq, 'date', i.due_date, 'amount_minor', i.amount_minor,
                                                     'status', i.status) ORDER BY i.seq), '[]')
        FROM plan_instalments i WHERE i.plan_id = p.id)
FROM payment_plans p WHERE p.id = @id`

// PlanNotice reads a plan with its instalments and what its invoices still
// owe; an unknown one is not found.
func (s *Store) PlanNotice(ctx context.Context, id int64) (PlanNotice, error) {
	var p PlanNotice
	var cur string
	var inst []byte
	err := s.Pool.QueryRow(ctx, getPlanNotice, pgx.NamedArgs{"id": id}).Scan(&p.ID, &p.CustomerID, &p.InvoiceIDs, &cur,
		&p.Total.Minor, &p.Status, &p.OpenNow, &inst)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, domain.Errorf(domain.CodeNotFound, "payment plan %d not found", id)
	}
	if err != nil {
		return p, err
	}
	if p.Total.Currency, err = money.ParseCurrency(cur); err != nil {
		return p, err
	}
	return p, json.Unmarshal(inst, &p.Instalments)
}

// OpenNotice names an open promise or plan, for starting its notices.
type OpenNotice struct {
	Plan       bool
	ID         int64
	CustomerID int64
}

// Promises whose date is still ahead and plans with a pending instalment:
// those whose notices may still have something to send.
const openNotices = `
SELECT false, p.id, p.customer_id FROM promises p
WHERE p.status = 'open' AND p.promised_date >= current_date - 1
UNION ALL
SELECT true, p.id, p.customer_id FROM payment_plans p
WHERE p.status = 'open' AND EXISTS (SELECT 1 FROM plan_instalments i WHERE i.plan_id = p.id AND i.status = 'pending')
ORDER BY 1, 2`

// OpenNotices lists the open promises and plans whose notices may still have
// something to send (the daily sweep starts any whose workflow never started).
func (s *Store) OpenNotices(ctx context.Context) ([]OpenNotice, error) {
	rows, err := s.Pool.Query(ctx, openNotices)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OpenNotice, error) {
		var n OpenNotice
		return n, r.Scan(&n.Plan, &n.ID, &n.CustomerID)
	})
}
