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

// PlanStatus is where a payment plan stands.
type PlanStatus string

// A plan is open until it is completed (all paid), broken (an instalment
// missed beyond the tolerance) or cancelled.
const (
	PlanOpen      PlanStatus = "open"
	PlanCompleted PlanStatus = "completed"
	PlanBroken    PlanStatus = "broken"
	PlanCancelled PlanStatus = "cancelled"
)

// Instalment is one dated part of a payment plan.
type Instalment struct {
	Seq    int          `json:"seq"`
	Date   dunning.Date `json:"date"`
	Amount int64        `json:"amount_minor"`
	Status string       `json:"status"` // pending, met, missed
}

// Plan is a payment plan as stored.
type Plan struct {
	ID             int64
	CustomerID     int64
	InvoiceIDs     []int64
	Total          money.Money // what the invoices owed when the plan was made
	ToleranceDays  int
	ToleranceMinor int64
	Note           string
	Status         PlanStatus
	PaidMinor      *int64
	Instalments    []Instalment
	CreatedBy      string
	CreatedAt      time.Time
	ClosedBy       string
	ClosedAt       *time.Time
}

// NewPlan is what CreatePlan records. With no InvoiceIDs the plan covers
// every open invoice of the currency that no promise or plan holds.
type NewPlan struct {
	CustomerID  int64
	InvoiceIDs  []int64
	Currency    money.Currency
	Instalments []Instalment // dates strictly increasing, amounts > 0
	Note        string
	Actor       string
}

const planEntity = `
SELECT (now() AT TIME ZONE coalesce((SELECT name FROM pg_timezone_names WHERE name = c.timezone), 'UTC'))::date,
       e.plan_tolerance_days, e.plan_tolerance_minor
FROM customers c JOIN entities e ON e.id = c.entity_id
WHERE c.id = @customer
FOR UPDATE OF c`

const insertPlan = `
INSERT INTO payment_plans (customer_id, invoice_ids, currency, total_minor, tolerance_days, tolerance_minor, note, created_by)
VALUES (@customer, @invoices, @currency, @total, @days, @minor, @note, @actor)
RETURNING id, created_at`

const insertInstalment = `INSERT INTO plan_instalments (plan_id, seq, due_date, amount_minor) VALUES (@plan, @seq, @date, @amount)`

// CreatePlan checks the plan against the customer's invoices and records it
// with its instalments and journal entry ("plan.create") in one transaction.
// The instalments must add up exactly to the covered invoices' open total
// (field instalments); the first may not be before the customer's today.
func (s *Store) CreatePlan(ctx context.Context, np NewPlan) (Plan, error) {
	p := Plan{CustomerID: np.CustomerID, Note: np.Note, Status: PlanOpen, CreatedBy: np.Actor}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var today time.Time
		err := tx.QueryRow(ctx, planEntity, pgx.NamedArgs{"customer": np.CustomerID}).Scan(&today, &p.ToleranceDays, &p.ToleranceMinor)
		if errors.Is(err, pgx.ErrNoRows) {
			return customerNotFound(np.CustomerID)
		}
		if err != nil {
			return err
		}
		if first := np.Instalments[0].Date; first.Before(dunning.DateOf(today)) {
			return domain.FieldError("instalments", "the first instalment %s is in the past (the customer's today is %s)", first, dunning.DateOf(today))
		}
		open, order, err := promisable(ctx, tx, np.CustomerID, np.Currency)
		if err != nil {
			return err
		}
		ids := np.InvoiceIDs
		if len(ids) == 0 {
			ids = order
		}
		if len(ids) == 0 {
			return domain.FieldError("invoice_ids", "no open %s invoice left to plan (open promises and plans hold the others)", np.Currency.Code())
		}
		total, err := coverListed(open, ids, np.Currency, "an open promise or plan")
		if err != nil {
			return err
		}
		var sum int64
		for _, in := range np.Instalments {
			sum += in.Amount
		}
		if sum != total {
			return domain.FieldError("instalments", "the instalments add up to %s, the invoices owe %s: they must be equal",
				money.Money{Minor: sum, Currency: np.Currency}, money.Money{Minor: total, Currency: np.Currency})
		}
		p.InvoiceIDs, p.Total = ids, money.Money{Minor: total, Currency: np.Currency}
		err = tx.QueryRow(ctx, insertPlan, pgx.NamedArgs{"customer": np.CustomerID, "invoices": ids, "currency": np.Currency.Code(),
			"total": total, "days": p.ToleranceDays, "minor": p.ToleranceMinor, "note": np.Note, "actor": np.Actor,
		}).Scan(&p.ID, &p.CreatedAt)
		if err != nil {
			return err
		}
		for i, in := range np.Instalments {
			in.Seq, in.Status = i+1, "pending"
			if _, err := tx.Exec(ctx, insertInstalment, pgx.NamedArgs{"plan": p.ID, "seq": in.Seq, "date": in.Date.In(time.UTC),
				"amount": in.Amount}); err != nil {
				return err
			}
			p.Instalments = append(p.Instalments, in)
		}
		after, err := json.Marshal(map[string]any{"plan_id": p.ID, "invoice_ids": ids, "total_minor": total,
			"currency": np.Currency.Code(), "instalments": p.Instalments, "tolerance_days": p.ToleranceDays,
			"tolerance_minor": p.ToleranceMinor, "note": np.Note})
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: np.Actor, Action: "plan.create", Target: customerTarget(np.CustomerID), After: after})
	})
	return p, err
}

const listPlans = `
SELECT p.id, p.customer_id, p.invoice_ids, p.currency, p.total_minor, p.tolerance_days, p.tolerance_minor, p.note, p.status,
       p.paid_minor, p.created_by, p.created_at, p.closed_by, p.closed_at,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('seq', i.seq, 'date', i.due_date, 'amount_minor', i.amount_minor,
                                                     'status', i.status) ORDER BY i.seq), '[]')
        FROM plan_instalments i WHERE i.plan_id = p.id)
FROM payment_plans p WHERE p.customer_id = @customer ORDER BY p.id DESC LIMIT @limit`

// Plans lists the customer's payment plans with their instalments, newest first (at most 200).
func (s *Store) Plans(ctx context.Context, customerID int64) ([]Plan, error) {
	rows, err := s.Pool.Query(ctx, listPlans, pgx.NamedArgs{"customer": customerID, "limit": maxPromisesListed})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Plan, error) {
		var p Plan
		var cur string
		var inst []byte
		err := r.Scan(&p.ID, &p.CustomerID, &p.InvoiceIDs, &cur, &p.Total.Minor, &p.ToleranceDays, &p.ToleranceMinor, &p.Note,
			&p.Status, &p.PaidMinor, &p.CreatedBy, &p.CreatedAt, &p.ClosedBy, &p.ClosedAt, &inst)
		if err != nil {
			return p, err
		}
		if p.Total.Currency, err = money.ParseCurrency(cur); err != nil {
			return p, err
		}
		return p, json.Unmarshal(inst, &p.Instalments)
	})
}

// PlanOutcome is what checking a plan found.
type PlanOutcome struct {
	PlanID    int64      `json:"plan_id"`
	Status    PlanStatus `json:"status"`
	PaidMinor int64      `json:"paid_minor"`
	Met       []int      `json:"met,omitempty"`    // instalments found paid (within tolerance)
	Missed    int        `json:"missed,omitempty"` // the instalment that broke the plan
	TaskID    int64      `json:"task_id,omitempty"`
}

const lockOpenPlan = `
SELECT p.customer_id, ` + promiseOpenNow + `, p.total_minor, p.tolerance_days, p.tolerance_minor, p.invoice_ids
FROM payment_plans p
WHERE p.id = @id AND p.status = 'open'
FOR UPDATE OF p`

const pendingInstalments = `
SELECT seq, due_date, amount_minor,
       (SELECT sum(j.amount_minor) FROM plan_instalments j WHERE j.plan_id = i.plan_id AND j.seq <= i.seq) AS cumulative
FROM plan_instalments i WHERE i.plan_id = @id AND i.status = 'pending' ORDER BY seq`

const markInstalment = `UPDATE plan_instalments SET status = @status, checked_at = now() WHERE plan_id = @id AND seq = @seq`

const closePlan = `
UPDATE payment_plans SET status = @status, paid_minor = @paid, closed_by = @actor, closed_at = now() WHERE id = @id`

// CheckPlan follows an open plan of the customer like a promise per
// instalment: nothing left open completes it (every instalment met); each
// pending instalment whose due date plus the tolerance days is before today
// is met when what was paid since the plan reaches the instalments due so far
// less the tolerance amount, else it is missed: the plan is broken and the
// account's agent gets an escalation task. The last instalment met completes it. Everything is journaled in one
// transaction. ok is false when nothing changed (not yet due, already closed,
// another customer's): running it twice is harmless.
func (s *Store) CheckPlan(ctx context.Context, customerID, id int64, today dunning.Date, actor string) (PlanOutcome, bool, error) {
	out := PlanOutcome{PlanID: id, Status: PlanOpen}
	var ok bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var owner, openNow, total, tolMinor int64
		var tolDays int
		var invoices []int64
		err := tx.QueryRow(ctx, lockOpenPlan, pgx.NamedArgs{"id": id}).Scan(&owner, &openNow, &total, &tolDays, &tolMinor, &invoices)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil || owner != customerID {
			return err
		}
		out.PaidMinor = max(total-openNow, 0)
		rows, err := tx.Query(ctx, pendingInstalments, pgx.NamedArgs{"id": id})
		if err != nil {
			return err
		}
		type pending struct {
			seq              int
			due              time.Time
			amount, cumulate int64
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pending, error) {
			var p pending
			return p, r.Scan(&p.seq, &p.due, &p.amount, &p.cumulate)
		})
		if err != nil {
			return err
		}
		for _, in := range list {
			switch {
			case openNow == 0 || out.PaidMinor >= total:
				out.Met = append(out.Met, in.seq)
			case !today.After(dunning.DateOf(in.due).AddDays(tolDays)):
				continue // not yet checked
			case out.PaidMinor >= in.cumulate-tolMinor:
				out.Met = append(out.Met, in.seq)
			default:
				out.Missed, out.Status = in.seq, PlanBroken
			}
			status := "met"
			if out.Missed == in.seq {
				status = "missed"
			}
			if _, err := tx.Exec(ctx, markInstalment, pgx.NamedArgs{"id": id, "seq": in.seq, "status": status}); err != nil {
				return err
			}
			if out.Missed != 0 {
				break
			}
		}
		if out.Missed == 0 && len(out.Met) == len(list) && len(list) > 0 {
			// Every instalment met (the last perhaps inside the tolerance
			// amount): the plan is done; anything still open is dunned again.
			out.Status = PlanCompleted
		}
		if out.Missed == 0 && len(out.Met) == 0 {
			return nil // nothing due yet
		}
		ok = true
		if out.Status == PlanBroken {
			out.TaskID, _, err = createTask(ctx, tx, Task{
				Key: "plan/" + strconv.FormatInt(id, 10) + "/broken", CustomerID: customerID, Kind: domain.TaskEscalation,
				AssigneeRole: domain.AssigneeAgent, InvoiceIDs: invoices, DueAt: time.Now().Add(24 * time.Hour),
				Note: "payment plan " + strconv.FormatInt(id, 10) + " broken: instalment " + strconv.Itoa(out.Missed) + " missed", Actor: actor,
			})
			if err != nil {
				return err
			}
		}
		if out.Status != PlanOpen {
			if _, err := tx.Exec(ctx, closePlan, pgx.NamedArgs{"id": id, "status": out.Status, "paid": out.PaidMinor, "actor": actor}); err != nil {
				return err
			}
		}
		after, err := json.Marshal(out)
		if err != nil {
			return err
		}
		action := "plan.instalment_met"
		if out.Status != PlanOpen {
			action = "plan." + string(out.Status)
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: customerTarget(customerID), After: after})
	})
	return out, ok, err
}

const cancelPlan = `
UPDATE payment_plans SET status = 'cancelled', closed_by = @actor, closed_at = now()
WHERE id = @id AND status = 'open'
RETURNING customer_id`

const planStatus = `SELECT customer_id, status FROM payment_plans WHERE id = @id`

// PlanCustomer answers the customer of a plan; an unknown plan is not found.
func (s *Store) PlanCustomer(ctx context.Context, id int64) (int64, error) {
	var customerID int64
	var status string
	err := s.Pool.QueryRow(ctx, planStatus, pgx.NamedArgs{"id": id}).Scan(&customerID, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, domain.Errorf(domain.CodeNotFound, "payment plan %d not found", id)
	}
	return customerID, err
}

// CancelPlan ends an open plan, journaled ("plan.cancel") with the reason;
// its invoices are no longer held. A plan already closed is a conflict.
func (s *Store) CancelPlan(ctx context.Context, id int64, reason, actor string) (int64, error) {
	var customerID int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, cancelPlan, pgx.NamedArgs{"id": id, "actor": actor}).Scan(&customerID)
		if errors.Is(err, pgx.ErrNoRows) {
			var status string
			err := tx.QueryRow(ctx, planStatus, pgx.NamedArgs{"id": id}).Scan(&customerID, &status)
			if errors.Is(err, pgx.ErrNoRows) {
				return domain.Errorf(domain.CodeNotFound, "payment plan %d not found", id)
			} else if err != nil {
				return err
			}
			return domain.Errorf(domain.CodeConflict, "payment plan %d is already %s", id, status)
		}
		if err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"plan_id": id, "status": PlanCancelled, "reason": reason})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "plan.cancel", Target: customerTarget(customerID), After: after})
	})
	return customerID, err
}
