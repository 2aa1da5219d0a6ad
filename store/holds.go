package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
)

// InvoiceHold is one invoice taken out of the reminders.
type InvoiceHold struct {
	ID            int64         `json:"id"`
	InvoiceID     int64         `json:"invoice_id"`
	Until         *dunning.Date `json:"until,omitempty"` // nil: until released
	Reason        string        `json:"reason"`
	HeldBy        string        `json:"held_by"`
	HeldAt        time.Time     `json:"held_at"`
	ReleasedAt    *time.Time    `json:"released_at,omitempty"`
	ReleasedBy    string        `json:"released_by,omitempty"`
	ReleaseReason string        `json:"release_reason,omitempty"`
}

// HoldTarget is an invoice someone wants to hold or release, as the use case
// checks it: whose it is, whether it is open, its active hold.
type HoldTarget struct {
	InvoiceID  int64
	CustomerID int64
	Number     string
	Open       bool   // open or disputed with an amount left: something dunning chases
	TimeZone   string // the customer's, for "until is in the past"
	Hold       *InvoiceHold
}

const holdColumns = `h.id, h.invoice_id, h.until, h.reason, h.held_by, h.held_at, h.released_at, h.released_by, h.release_reason`

func scanHold(r pgx.Row) (InvoiceHold, error) {
	var h InvoiceHold
	var until *time.Time
	err := r.Scan(&h.ID, &h.InvoiceID, &until, &h.Reason, &h.HeldBy, &h.HeldAt, &h.ReleasedAt, &h.ReleasedBy, &h.ReleaseReason)
	if until != nil {
		d := dunning.DateOf(*until)
		h.Until = &d
	}
	return h, err
}

const holdTarget = `
SELECT i.id, i.customer_id, i.number, i.type = 'invoice' AND i.status IN ('open', 'disputed') AND i.open_minor > 0, c.timezone
FROM invoices i JOIN customers c ON c.id = i.customer_id
WHERE i.id = @id AND ` + perimeterClause

const activeHold = `SELECT ` + holdColumns + ` FROM invoice_holds h WHERE h.invoice_id = $1 AND h.released_at IS NULL`

// HoldTarget reads an invoice inside per for a hold or a release: not found outside it.
func (s *Store) HoldTarget(ctx context.Context, per Perimeter, invoiceID int64) (HoldTarget, error) {
	var t HoldTarget
	err := s.Pool.QueryRow(ctx, holdTarget, per.args(pgx.NamedArgs{"id": invoiceID})).
		Scan(&t.InvoiceID, &t.CustomerID, &t.Number, &t.Open, &t.TimeZone)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, domain.Errorf(domain.CodeNotFound, "invoice %d not found", invoiceID)
	}
	if err != nil {
		return t, err
	}
	h, err := scanHold(s.Pool.QueryRow(ctx, activeHold, invoiceID))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return t, nil
	case err != nil:
		return t, err
	}
	t.Hold = &h
	return t, nil
}

// HoldWrite is a hold to record. Key makes the write idempotent: a second
// write with the same key answers the hold the first one made.
type HoldWrite struct {
	CustomerID int64         `json:"customer_id"`
	InvoiceID  int64         `json:"invoice_id"`
	Until      *dunning.Date `json:"until,omitempty"`
	Reason     string        `json:"reason"`
	By         string        `json:"by"`
	Key        string        `json:"key"`
}

const (
	holdByKey   = `SELECT ` + holdColumns + ` FROM invoice_holds h WHERE h.hold_key = $1`
	lockInvoice = `
SELECT i.type = 'invoice' AND i.status IN ('open', 'disputed') AND i.open_minor > 0
FROM invoices i WHERE i.id = $1 AND i.customer_id = $2 FOR UPDATE`
	insertHold = `
INSERT INTO invoice_holds AS h (invoice_id, until, reason, held_by, hold_key) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (invoice_id) WHERE released_at IS NULL DO NOTHING
RETURNING ` + holdColumns
)

// HoldInvoice records a hold on an open invoice of the customer and journals
// "invoice.hold" on the customer. An invoice already held, or not open, is a
// CodeConflict error.
func (s *Store) HoldInvoice(ctx context.Context, w HoldWrite) (InvoiceHold, error) {
	var out InvoiceHold
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		out, err = holdInvoice(ctx, tx, w)
		return err
	})
	return out, err
}

// holdInvoice is HoldInvoice inside the caller's transaction (a task
// completed with paid_claimed holds its invoices in its own).
func holdInvoice(ctx context.Context, tx pgx.Tx, w HoldWrite) (InvoiceHold, error) {
	h, err := scanHold(tx.QueryRow(ctx, holdByKey, w.Key))
	if err == nil { // a retry of a write that committed
		return h, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return InvoiceHold{}, err
	}
	var open bool
	err = tx.QueryRow(ctx, lockInvoice, w.InvoiceID, w.CustomerID).Scan(&open)
	if errors.Is(err, pgx.ErrNoRows) {
		return InvoiceHold{}, domain.Errorf(domain.CodeNotFound, "invoice %d of customer %d not found", w.InvoiceID, w.CustomerID)
	}
	if err != nil {
		return InvoiceHold{}, err
	}
	if !open {
		return InvoiceHold{}, domain.Errorf(domain.CodeConflict, "invoice %d is not open: there is nothing to hold", w.InvoiceID)
	}
	var until *time.Time
	if w.Until != nil {
		t := w.Until.In(time.UTC)
		until = &t
	}
	out, err := scanHold(tx.QueryRow(ctx, insertHold, w.InvoiceID, until, w.Reason, w.By, w.Key))
	if errors.Is(err, pgx.ErrNoRows) {
		return out, domain.Errorf(domain.CodeConflict, "invoice %d is already held", w.InvoiceID)
	}
	if err != nil {
		return out, err
	}
	after, err := json.Marshal(out)
	if err != nil {
		return out, err
	}
	return out, Journal(ctx, tx, Entry{Actor: w.By, Action: "invoice.hold", Target: customerTarget(w.CustomerID), After: after})
}

// ReleaseWrite lifts an invoice's hold; Key as in HoldWrite.
type ReleaseWrite struct {
	CustomerID int64  `json:"customer_id"`
	InvoiceID  int64  `json:"invoice_id"`
	Reason     string `json:"reason"`
	By         string `json:"by"`
	Key        string `json:"key"`
}

const (
	releaseByKey = `SELECT ` + holdColumns + ` FROM invoice_holds h WHERE h.release_key = $1`
	releaseHold  = `
UPDATE invoice_holds h SET released_at = now(), released_by = $3, release_reason = $4, release_key = $5
FROM invoices i
WHERE h.invoice_id = $1 AND h.released_at IS NULL AND i.id = h.invoice_id AND i.customer_id = $2
RETURNING ` + holdColumns
)

// ReleaseInvoice lifts the active hold of an invoice and journals
// "invoice.release"; an invoice not held is a CodeConflict error.
func (s *Store) ReleaseInvoice(ctx context.Context, w ReleaseWrite) (InvoiceHold, error) {
	var out InvoiceHold
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		h, err := scanHold(tx.QueryRow(ctx, releaseByKey, w.Key))
		if err == nil {
			out = h
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		out, err = scanHold(tx.QueryRow(ctx, releaseHold, w.InvoiceID, w.CustomerID, w.By, w.Reason, w.Key))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeConflict, "invoice %d is not held", w.InvoiceID)
		}
		if err != nil {
			return err
		}
		after, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: w.By, Action: "invoice.release", Target: customerTarget(w.CustomerID), After: after})
	})
	return out, err
}

const customerHolds = `
SELECT ` + holdColumns + ` FROM invoice_holds h JOIN invoices i ON i.id = h.invoice_id
WHERE i.customer_id = $1 AND h.released_at IS NULL ORDER BY h.invoice_id`

// InvoiceHolds are the customer's active holds, by invoice.
func (s *Store) InvoiceHolds(ctx context.Context, customerID int64) (map[int64]InvoiceHold, error) {
	rows, err := s.Pool.Query(ctx, customerHolds, customerID)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (InvoiceHold, error) { return scanHold(r) })
	if err != nil {
		return nil, err
	}
	out := make(map[int64]InvoiceHold, len(list))
	for _, h := range list {
		out[h.InvoiceID] = h
	}
	return out, nil
}

// CreditHoldMeta says whether the account is on credit hold and which
// scenario's step put it there (0: unknown, or a hold put before this was recorded).
type CreditHoldMeta struct {
	OnHold     bool  `json:"on_hold"`
	ScenarioID int64 `json:"scenario_id,omitempty"`
}

// snapshotHolidays are the dates loaded for a customer's country ($1) and entity ($2).
const snapshotHolidays = `
SELECT DISTINCT h.date FROM holidays h
WHERE h.country = $1 OR h.entity_id = $2
ORDER BY h.date`

// accountHolidays are the dates loaded for an account's country and entity
// (Account.Holidays).
func (s *Store) accountHolidays(ctx context.Context, country string, entityID int64) ([]dunning.Date, error) {
	rows, err := s.Pool.Query(ctx, snapshotHolidays, country, entityID)
	if err != nil {
		return nil, err
	}
	days, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return nil, err
	}
	var out []dunning.Date
	for _, d := range days {
		out = append(out, dunning.DateOf(d))
	}
	return out, nil
}

const releaseCreditHold = `
UPDATE customers c SET on_hold = false, on_hold_since = NULL, on_hold_scenario_id = NULL, on_hold_reason = '', on_hold_by = '',
       updated_at = now()
FROM (SELECT id, on_hold, on_hold_since, on_hold_reason FROM customers WHERE id = $1 FOR UPDATE) old
WHERE c.id = old.id AND old.on_hold
RETURNING old.on_hold_since, old.on_hold_reason`

// ReleaseCreditHold lifts the customer's credit hold and journals
// "customer.credit_hold_release" with the reason; an account not on hold is
// a CodeConflict error (released reports false with no error when
// notHeldIsFine, for the automatic release, which may run twice).
func (s *Store) ReleaseCreditHold(ctx context.Context, customerID int64, reason, actor string, notHeldIsFine bool) (released bool, err error) {
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var since *time.Time
		var heldFor string
		err := tx.QueryRow(ctx, releaseCreditHold, customerID).Scan(&since, &heldFor)
		if errors.Is(err, pgx.ErrNoRows) {
			if notHeldIsFine {
				return nil
			}
			return domain.Errorf(domain.CodeConflict, "customer %d is not on credit hold", customerID)
		}
		if err != nil {
			return err
		}
		released = true
		before, err := json.Marshal(map[string]any{"on_hold": true, "on_hold_since": since, "reason": heldFor})
		if err != nil {
			return err
		}
		after, err := json.Marshal(map[string]any{"on_hold": false, "reason": reason})
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "customer.credit_hold_release", Target: customerTarget(customerID),
			Before: before, After: after})
	})
	return released, err
}
