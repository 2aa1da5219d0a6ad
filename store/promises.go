package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
)

// PromiseStatus is where a promise to pay stands.
type PromiseStatus string

// A promise is open until it is checked (kept, partly kept, broken) or cancelled.
const (
	PromiseOpen       PromiseStatus = "open"
	PromiseKept       PromiseStatus = "kept"
	PromisePartlyKept PromiseStatus = "partly_kept"
	PromiseBroken     PromiseStatus = "broken"
	PromiseCancelled  PromiseStatus = "cancelled"
)

// PromiseSources are where a promise may come from.
var PromiseSources = []string{"call", "email", "portal", "api"}

// Promise is a promise to pay as stored.
type Promise struct {
	ID          int64
	CustomerID  int64
	InvoiceIDs  []int64
	Amount      money.Money
	CoveredOpen int64 // the invoices' open total when the promise was made, minor units
	Date        dunning.Date
	GraceDays   int
	Note        string
	Source      string
	Status      PromiseStatus
	PaidMinor   *int64 // what was paid of CoveredOpen when it was checked
	CreatedBy   string
	CreatedAt   time.Time
	ClosedBy    string
	ClosedAt    *time.Time
}

// Until is the last day the promise holds its invoices.
func (p Promise) Until() dunning.Date { return p.Date.AddDays(p.GraceDays) }

// NewPromise is what CreatePromise records. With no InvoiceIDs the open
// invoices are taken oldest due first until they cover the amount.
type NewPromise struct {
	CustomerID int64
	InvoiceIDs []int64
	Amount     money.Money
	Date       dunning.Date
	Note       string
	Source     string
	Actor      string
}

// The customer's invoices a promise may cover: open, in the promise's
// currency, with something left to pay, and not held by another open promise
// or an open payment plan.
// Locked, so two promises made at once cannot cover the same invoice.
const promisableInvoices = `
SELECT i.id, i.open_minor
FROM invoices i
WHERE i.customer_id = @customer AND i.type = 'invoice' AND i.status = 'open' AND i.open_minor > 0
  AND i.currency = @currency
  AND NOT EXISTS (SELECT 1 FROM promises p WHERE p.customer_id = i.customer_id AND p.status = 'open'
                  AND i.id = ANY (p.invoice_ids))
  AND NOT EXISTS (SELECT 1 FROM payment_plans pp WHERE pp.customer_id = i.customer_id AND pp.status = 'open'
                  AND i.id = ANY (pp.invoice_ids))
ORDER BY i.due_date, i.id
FOR UPDATE OF i`

// The customer's local date (promise dates are in it) and the entity's grace.
const promiseCustomer = `
SELECT (now() AT TIME ZONE coalesce((SELECT name FROM pg_timezone_names WHERE name = c.timezone), 'UTC'))::date,
       e.promise_grace_days
FROM customers c JOIN entities e ON e.id = c.entity_id
WHERE c.id = @customer
FOR UPDATE OF c`

const insertPromise = `
INSERT INTO promises (customer_id, invoice_ids, currency, amount_minor, covered_open_minor, promised_date, grace_days,
                      note, source, created_by)
VALUES (@customer, @invoices, @currency, @amount, @covered, @date, @grace, @note, @source, @actor)
RETURNING id, created_at`

// CreatePromise checks the promise against the customer's invoices and
// records it with its journal entry ("promise.create"), in one transaction.
// Invoices not of the customer, not open, or already promised are refused
// (field invoice_ids), as is an amount above their open total (field amount_minor)
// or a date before the customer's today (field date).
func (s *Store) CreatePromise(ctx context.Context, np NewPromise) (Promise, error) {
	var p Promise
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) (err error) {
		p, err = createPromise(ctx, tx, np)
		return err
	})
	return p, err
}

// createPromise is CreatePromise inside tx: completing a call task with a
// promise records it in the task's transaction, by the same rule.
func createPromise(ctx context.Context, tx pgx.Tx, np NewPromise) (Promise, error) {
	p := Promise{CustomerID: np.CustomerID, Amount: np.Amount, Date: np.Date, Note: np.Note, Source: np.Source,
		Status: PromiseOpen, CreatedBy: np.Actor}
	var today time.Time
	err := tx.QueryRow(ctx, promiseCustomer, pgx.NamedArgs{"customer": np.CustomerID}).Scan(&today, &p.GraceDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, customerNotFound(np.CustomerID)
	}
	if err != nil {
		return p, err
	}
	if np.Date.Before(dunning.DateOf(today)) {
		return p, domain.FieldError("date", "%s is in the past (the customer's today is %s)", np.Date, dunning.DateOf(today))
	}
	open, order, err := promisable(ctx, tx, np.CustomerID, np.Amount.Currency)
	if err != nil {
		return p, err
	}
	if len(np.InvoiceIDs) == 0 { // oldest first, until the amount is covered
		for _, id := range order {
			if p.CoveredOpen >= np.Amount.Minor {
				break
			}
			p.InvoiceIDs = append(p.InvoiceIDs, id)
			p.CoveredOpen += open[id]
		}
		if len(p.InvoiceIDs) == 0 {
			return p, domain.FieldError("invoice_ids", "no open %s invoice left to promise (open promises hold the others)",
				np.Amount.Currency.Code())
		}
	} else {
		covered, err := coverListed(open, np.InvoiceIDs, np.Amount.Currency, "another open promise")
		if err != nil {
			return p, err
		}
		p.InvoiceIDs, p.CoveredOpen = np.InvoiceIDs, covered
	}
	if np.Amount.Minor > p.CoveredOpen {
		return p, domain.FieldError("amount_minor", "%s is more than the invoices' open total %s", np.Amount,
			money.Money{Minor: p.CoveredOpen, Currency: np.Amount.Currency})
	}
	err = tx.QueryRow(ctx, insertPromise, pgx.NamedArgs{"customer": np.CustomerID, "invoices": p.InvoiceIDs,
		"currency": np.Amount.Currency.Code(), "amount": np.Amount.Minor, "covered": p.CoveredOpen,
		"date": np.Date.In(time.UTC), "grace": p.GraceDays, "note": np.Note, "source": np.Source, "actor": np.Actor,
	}).Scan(&p.ID, &p.CreatedAt)
	if err != nil {
		return p, err
	}
	after, err := json.Marshal(map[string]any{"promise_id": p.ID, "invoice_ids": p.InvoiceIDs, "amount_minor": np.Amount.Minor,
		"currency": np.Amount.Currency.Code(), "date": np.Date, "grace_days": p.GraceDays, "source": np.Source, "note": np.Note})
	if err != nil {
		return p, err
	}
	return p, Journal(ctx, tx, Entry{Actor: np.Actor, Action: "promise.create", Target: customerTarget(np.CustomerID), After: after})
}

const promiseColumns = `p.id, p.customer_id, p.invoice_ids, p.currency, p.amount_minor, p.covered_open_minor, p.promised_date,
       p.grace_days, p.note, p.source, p.status, p.paid_minor, p.created_by, p.created_at, p.closed_by, p.closed_at`

// Newest first: the account page's list.
const listPromises = `SELECT ` + promiseColumns + ` FROM promises p WHERE p.customer_id = @customer ORDER BY p.id DESC LIMIT @limit`

const getPromise = `SELECT ` + promiseColumns + ` FROM promises p WHERE p.id = @id`

// scanPromise reads promiseColumns, then more (a query's extra columns).
func scanPromise(r pgx.Row, more ...any) (Promise, error) {
	var p Promise
	var cur string
	var date time.Time
	err := r.Scan(append([]any{&p.ID, &p.CustomerID, &p.InvoiceIDs, &cur, &p.Amount.Minor, &p.CoveredOpen, &date, &p.GraceDays,
		&p.Note, &p.Source, &p.Status, &p.PaidMinor, &p.CreatedBy, &p.CreatedAt, &p.ClosedBy, &p.ClosedAt}, more...)...)
	if err != nil {
		return p, err
	}
	p.Date = dunning.DateOf(date)
	p.Amount.Currency, err = money.ParseCurrency(cur)
	return p, err
}

// maxPromisesListed bounds an account's list of promises.
const maxPromisesListed = 200

// Promises lists the customer's promises, newest first (at most 200).
func (s *Store) Promises(ctx context.Context, customerID int64) ([]Promise, error) {
	rows, err := s.Pool.Query(ctx, listPromises, pgx.NamedArgs{"customer": customerID, "limit": maxPromisesListed})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Promise, error) { return scanPromise(r) })
}

// Promise reads one promise; an unknown one is not found.
func (s *Store) Promise(ctx context.Context, id int64) (Promise, error) {
	p, err := scanPromise(s.Pool.QueryRow(ctx, getPromise, pgx.NamedArgs{"id": id}))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, domain.Errorf(domain.CodeNotFound, "promise %d not found", id)
	}
	return p, err
}

const cancelPromise = `
UPDATE promises SET status = 'cancelled', closed_by = @actor, closed_at = now()
WHERE id = @id AND status = 'open'
RETURNING customer_id`

// CancelPromise ends an open promise; its invoices are no longer held. A
// promise already closed is a conflict.
func (s *Store) CancelPromise(ctx context.Context, id int64, reason, actor string) (int64, error) {
	var customerID int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, cancelPromise, pgx.NamedArgs{"id": id, "actor": actor}).Scan(&customerID)
		if errors.Is(err, pgx.ErrNoRows) {
			p, err := scanPromise(tx.QueryRow(ctx, getPromise, pgx.NamedArgs{"id": id}))
			if errors.Is(err, pgx.ErrNoRows) {
				return domain.Errorf(domain.CodeNotFound, "promise %d not found", id)
			} else if err != nil {
				return err
			}
			return domain.Errorf(domain.CodeConflict, "promise %d is already %s", id, p.Status)
		}
		if err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"promise_id": id, "status": PromiseCancelled, "reason": reason})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "promise.cancel", Target: customerTarget(customerID), After: after})
	})
	return customerID, err
}

// PromiseHold is an open promise as the Dunning workflow sees it at each
// evaluation: when its hold ends, and whether it is kept already.
type PromiseHold struct {
	ID int64 `json:"id"`
	// Kind is "" for a promise, HoldPlan for a payment plan (its next
	// instalment: Until is its due date plus the tolerance days).
	Kind  string       `json:"kind,omitempty"`
	Until dunning.Date `json:"until"` // the promise date plus the grace days: held through this day
	// Kept: nothing is left open of the covered invoices, or what was paid
	// reaches the promised amount; it is checked at once.
	Kept bool `json:"kept,omitempty"`
}

// What is still open of a promise's invoices: open and disputed ones count,
// paid, credited and written-off ones count nothing.
const promiseOpenNow = `(SELECT coalesce(sum(i.open_minor), 0) FROM invoices i
     WHERE i.id = ANY (p.invoice_ids) AND i.status IN ('open', 'disputed'))`

// HoldPlan marks a payment plan among the holds.
const HoldPlan = "plan"

// The open promises, then the open payment plans (a plan: promised the whole
// total, held through its next instalment's due date plus tolerance).
const openPromises = `
SELECT p.id, '', p.promised_date + p.grace_days, ` + promiseOpenNow + ` AS open_now, p.amount_minor, p.covered_open_minor
FROM promises p
WHERE p.customer_id = @customer AND p.status = 'open'
UNION ALL
SELECT p.id, 'plan', n.due + p.tolerance_days, ` + promiseOpenNow + `, p.total_minor, p.total_minor
FROM payment_plans p
JOIN LATERAL (SELECT min(i.due_date) AS due FROM plan_instalments i WHERE i.plan_id = p.id AND i.status = 'pending') n
  ON n.due IS NOT NULL
WHERE p.customer_id = @customer AND p.status = 'open'
ORDER BY 2, 1`

// OpenPromises lists the customer's open promises for the Dunning workflow.
func (s *Store) OpenPromises(ctx context.Context, customerID int64) ([]PromiseHold, error) {
	rows, err := s.Pool.Query(ctx, openPromises, pgx.NamedArgs{"customer": customerID})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PromiseHold, error) {
		var h PromiseHold
		var until time.Time
		var openNow, amount, covered int64
		if err := r.Scan(&h.ID, &h.Kind, &until, &openNow, &amount, &covered); err != nil {
			return h, err
		}
		h.Until, h.Kept = dunning.DateOf(until), kept(openNow, amount, covered)
		return h, nil
	})
}

func kept(openNow, amount, covered int64) bool { return openNow == 0 || covered-openNow >= amount }

// PromiseOutcome is what checking a promise found.
type PromiseOutcome struct {
	PromiseID int64         `json:"promise_id"`
	Status    PromiseStatus `json:"status"`
	PaidMinor int64         `json:"paid_minor"`
	TaskID    int64         `json:"task_id,omitempty"` // the escalation of a broken promise
}

const lockOpenPromise = `
SELECT p.customer_id, p.promised_date + p.grace_days, ` + promiseOpenNow + `, p.amount_minor, p.covered_open_minor, p.invoice_ids
FROM promises p
WHERE p.id = @id AND p.status = 'open'
FOR UPDATE OF p`

const settlePromise = `
UPDATE promises SET status = @status, paid_minor = @paid, closed_by = @actor, closed_at = now() WHERE id = @id`

// CheckPromise settles an open promise of the customer once it is kept or
// its hold has ended (today is after its promise date + grace): kept (what
// was promised is paid, or nothing is left open), partly kept (something was
// paid: what is left is dunned again), broken (nothing was paid: an
// escalation task for the account's agent, which holds automatic reminders
// until someone decides). The outcome, and the task, are journaled in one
// transaction. A promise not yet due, already settled or of another customer
// answers ok false: running it twice is harmless.
func (s *Store) CheckPromise(ctx context.Context, customerID, id int64, today dunning.Date, actor string) (PromiseOutcome, bool, error) {
	out := PromiseOutcome{PromiseID: id}
	var ok bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var owner int64
		var until time.Time
		var openNow, amount, covered int64
		var invoices []int64
		err := tx.QueryRow(ctx, lockOpenPromise, pgx.NamedArgs{"id": id}).Scan(&owner, &until, &openNow, &amount, &covered, &invoices)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		isKept := kept(openNow, amount, covered)
		if owner != customerID || (!isKept && !today.After(dunning.DateOf(until))) {
			return nil
		}
		ok = true
		out.PaidMinor = max(covered-openNow, 0)
		switch {
		case isKept:
			out.Status = PromiseKept
		case out.PaidMinor > 0:
			out.Status = PromisePartlyKept
		default:
			out.Status = PromiseBroken
			out.TaskID, _, err = createTask(ctx, tx, Task{
				Key: "promise/" + strconv.FormatInt(id, 10) + "/broken", CustomerID: customerID, Kind: domain.TaskEscalation,
				AssigneeRole: domain.AssigneeAgent, InvoiceIDs: invoices, DueAt: time.Now().Add(24 * time.Hour),
				Note: "promise " + strconv.FormatInt(id, 10) + " broken: nothing was paid by " + dunning.DateOf(until).String(), Actor: actor,
			})
			if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, settlePromise, pgx.NamedArgs{"id": id, "status": out.Status, "paid": out.PaidMinor, "actor": actor}); err != nil {
			return err
		}
		after, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "promise." + string(out.Status), Target: customerTarget(customerID), After: after})
	})
	return out, ok, err
}

// promisable reads the customer's open invoices in currency that no open
// promise or plan holds, oldest due first: what a new promise or plan may
// cover, with each one's open amount.
func promisable(ctx context.Context, tx pgx.Tx, customerID int64, currency money.Currency) (open map[int64]int64, order []int64, err error) {
	rows, err := tx.Query(ctx, promisableInvoices, pgx.NamedArgs{"customer": customerID, "currency": currency.Code()})
	if err != nil {
		return nil, nil, err
	}
	open = map[int64]int64{}
	for rows.Next() {
		var id, minor int64
		if err := rows.Scan(&id, &minor); err != nil {
			return nil, nil, err
		}
		open[id] = minor
		order = append(order, id)
	}
	return open, order, rows.Err()
}

// coverListed checks that every listed invoice is promisable and listed once,
// and answers their open total; holder names what may hold the others.
func coverListed(open map[int64]int64, ids []int64, currency money.Currency, holder string) (int64, error) {
	seen := map[int64]bool{}
	var total int64
	for _, id := range ids {
		minor, ok := open[id]
		switch {
		case seen[id]:
			return 0, domain.FieldError("invoice_ids", "invoice %d is listed twice", id)
		case !ok:
			return 0, domain.FieldError("invoice_ids", "invoice %d is not an open %s invoice of this customer, or %s holds it",
				id, currency.Code(), holder)
		}
		seen[id] = true
		total += minor
	}
	return total, nil
}
