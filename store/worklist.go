package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
	"recoup/metrics"
	"recoup/money"
)

// Rate is the exchange rate of one currency pair on a date: 1 From is Value
// To. Value is the exact decimal the rates import stored, never a float.
type Rate struct {
	From, To string
	On       dunning.Date
	Value    string
}

const rateOnOrBefore = `
SELECT rate_date, rate::text FROM exchange_rates
WHERE from_currency = $1 AND to_currency = $2 AND rate_date <= $3::date
ORDER BY rate_date DESC LIMIT 1`

// ExchangeRate is the rate of from to to on the latest date on or before on.
// A pair with no such rate is a CodeNotFound error: a rate is never guessed
// (no inverse, no cross rate). A currency to itself is 1.
func (s *Store) ExchangeRate(ctx context.Context, from, to string, on dunning.Date) (Rate, error) {
	if from == to {
		return Rate{From: from, To: to, On: on, Value: "1"}, nil
	}
	r := Rate{From: from, To: to}
	var d time.Time
	err := s.Pool.QueryRow(ctx, rateOnOrBefore, from, to, on.String()).Scan(&d, &r.Value)
	if errors.Is(err, pgx.ErrNoRows) {
		return Rate{}, domain.Errorf(domain.CodeNotFound, "no exchange rate from %s to %s on or before %s", from, to, on)
	}
	r.On = dunning.DateOf(d)
	return r, err
}

// ratesTo is the latest rate on or before a date of every currency to one.
const ratesTo = `
SELECT DISTINCT ON (from_currency) from_currency, rate::text, rate_date FROM exchange_rates
WHERE to_currency = $1 AND rate_date <= $2::date
ORDER BY from_currency, rate_date DESC`

// RatesTo lists the latest rate on or before on of every currency that has
// one to the currency to, and to itself at 1.
func (s *Store) RatesTo(ctx context.Context, to string, on dunning.Date) ([]Rate, error) {
	rows, err := s.Pool.Query(ctx, ratesTo, to, on.String())
	if err != nil {
		return nil, err
	}
	rates, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Rate, error) {
		x := Rate{To: to}
		var d time.Time
		err := r.Scan(&x.From, &x.Value, &d)
		x.On = dunning.DateOf(d)
		return x, err
	})
	return append(rates, Rate{From: to, To: to, On: on, Value: "1"}), err
}

// WorklistFilter narrows the worklist: the open tasks of one assignee
// (AssigneeEmail) or of everyone inside the perimeter; empty fields do not filter.
type WorklistFilter struct {
	AssigneeEmail string
	Role          domain.Assignee
	Kind          domain.TaskKind
	CustomerID    *int64
	Overdue       *bool // past its due time
	Reporting     money.Currency
	Rates         []Rate // RatesTo(Reporting, today)
	Now           time.Time
	Exhaustive    bool // score every open task (the pruned query's reference, in tests and the benchmark)
	domain.Page
}

// WorklistRow is an open task with what its priority score is made of.
type WorklistRow struct {
	TaskView
	Attempts         int
	Overdue          money.Money  // the customer's overdue amount, in its own currency
	OverdueReporting *money.Money // the same in the reporting currency; nil: no rate
	RateOn           *dunning.Date
	DaysOverdue      int
	RiskClass        string
	TimeZone         string // the customer's: a callback time is read in it
	BrokenPromises   int
	// The points of each part of the score, and the score (their sum).
	AmountPoints, DaysPoints, RiskPoints, PromisePoints, DuePoints, Score float64
}

// The priority score of an open task (README, "Worklist"): the sum of
//
//	amount   10 × log10(1 + overdue amount of the customer in reporting-currency units)
//	         (no rate: the unconverted amount's minor units taken as the reporting currency's)
//	days     min(days overdue, 180) / 6                    (0–30)
//	risk     20 for risk class "high", 10 for "medium", else 0
//	promises 15 per broken promise of the customer
//	due      days since the task's due time, between -10 and 10
//
// Every part is rounded to two decimals, so the sum is exact in the reason.
// worklistParts computes the parts as lateral joins on the task tk, its
// customer c, the customer's totals t and its rate r (NULL: none); the
// points are float8 (a ranking, never money) rounded to cents.
const worklistParts = `
    CROSS JOIN LATERAL (SELECT ` + customerOverdue + ` AS overdue, ` + customerDaysOverdue + ` AS days) o
    CROSS JOIN LATERAL (SELECT CASE WHEN r.rate IS NOT NULL THEN round(o.overdue * r.rate * power(10::numeric, r.shift))::bigint END AS reporting,
                               (SELECT count(*) FROM promises pr WHERE pr.customer_id = c.id AND pr.status = 'broken') AS broken_promises) x
    CROSS JOIN LATERAL (SELECT
        round((10 * log(1 + greatest(coalesce(x.reporting, o.overdue), 0)::float8 / (10 ^ @reporting_exp::int)::float8))::numeric, 2) AS amount_points,
        round(least(o.days, 180) / 6.0, 2) AS days_points,
        CASE lower(c.risk_class) WHEN 'high' THEN 20 WHEN 'medium' THEN 10 ELSE 0 END AS risk_points,
        15 * x.broken_promises AS promise_points,
        round(greatest(-10, least(10, extract(epoch FROM (@now::timestamptz - tk.due_at))::float8 / 86400))::numeric, 2) AS due_points) p`

const worklistScore = `(p.amount_points + p.days_points + p.risk_points + p.promise_points + p.due_points)`

// worklistRates are the exchange rates to the reporting currency (both queries).
const worklistRates = `
WITH rates AS (
    SELECT * FROM unnest(@rate_from::text[], @rate_value::numeric[], @rate_shift::int[], @rate_on::date[])
        AS r(currency, rate, shift, on_date)
),`

// worklistPage and worklistPageFrom read in full the rows of the page that
// the CTE ranked holds (both queries); between them goes the column of how
// many tasks match in all.
const (
	worklistPage = `SELECT tk.id, tk.customer_id, c.name, tk.kind, tk.assignee_role, coalesce(u.email, ''), tk.invoice_ids, tk.due_at, tk.note,
       tk.created_at, tk.attempts, c.currency, o.overdue, x.reporting, r.on_date, o.days, c.risk_class, c.timezone,
       x.broken_promises, p.amount_points::float8, p.days_points::float8, p.risk_points::float8, p.promise_points::float8,
       p.due_points::float8, ` + worklistScore + `::float8, `
	worklistPageFrom = `
FROM ranked
JOIN tasks tk ON tk.id = ranked.id
JOIN customers c ON c.id = tk.customer_id
JOIN customer_totals t ON t.customer_id = c.id
LEFT JOIN users u ON u.id = tk.assignee_id
LEFT JOIN rates r ON r.currency = c.currency` + worklistParts + `
ORDER BY ranked.score DESC, ranked.due_at, ranked.id`
)

// worklistQuery ranks the open tasks on narrow rows (id, score, due time),
// then reads the page's rows in full: sorting 200,000 tasks stays cheap.
const worklistQuery = worklistRates + `
ranked AS (
    SELECT tk.id, ` + worklistScore + ` AS score, tk.due_at, count(*) OVER () AS total
    FROM tasks tk
    JOIN customers c ON c.id = tk.customer_id
    JOIN customer_totals t ON t.customer_id = c.id
    LEFT JOIN rates r ON r.currency = c.currency` + worklistParts + `
    WHERE tk.status = 'open' AND ` + worklistFilters + `
    ORDER BY score DESC, tk.due_at, tk.id
    LIMIT @limit OFFSET @offset
)
` + worklistPage + `ranked.total` + worklistPageFrom

// worklistTaskFilters narrow the open tasks tk; worklistFilters add the
// perimeter, on their customer c (both queries).
const (
	worklistTaskFilters = `
      (@assignee::text IS NULL OR tk.assignee_id = (SELECT id FROM users WHERE email = @assignee::text))
      AND (@role::text IS NULL OR tk.assignee_role = @role::text)
      AND (@kind::text IS NULL OR tk.kind = @kind::text)
      AND (@customer::bigint IS NULL OR tk.customer_id = @customer::bigint)
      AND (@overdue::boolean IS NULL OR (tk.due_at < @now::timestamptz) = @overdue::boolean)
      AND (@p_department::text IS NULL OR tk.assignee_role = @p_department::text)`
	worklistFilters = worklistTaskFilters + `
      AND ` + perimeterClause
)

// worklistBounded ranks the same open tasks as worklistQuery, in the same
// order, scoring only the tasks that can reach the page (migrations 00017
// and 00018). A task's score is the customer part plus its due part; the
// customer part is at most priority_base + @slack for every customer but the
// stale ones (not refreshed since @fresh_since: their days overdue grew
// since; or past their next due date in their own time zone, which
// @stale_due, the day after today in UTC, bounds for the index), and the due
// part falls with the due time, so a customer's tasks score at most
//
//	bound = priority_base + @slack + clamp(@now_day - task_due_day, -10, 10) + 0.01
//
// (task_due_day: its earliest open task's due time, in days since the epoch;
// 0.01 covers the due part's rounding). A floor is a score @k tasks reach,
// so no task of the page scores less:
//  1. the tasks of the @k customers of highest base among those whose
//     earliest task is 10 days past due, and of the @k of highest
//     base - task_due_day among the others (two index walks), scored, give
//     the floor;
//  2. the customers whose bound reaches it are three index ranges: earliest
//     task 10 days past due or more (the clamp gives 10: a range of
//     priority_base), due within 10 days either side (no clamp: a range of
//     priority_base - task_due_day), 10 days ahead or more (-10: a range of
//     priority_base); plus the stale customers;
//  3. their tasks whose own bound (their own due part) reaches the floor, and
//     every task of the stale customers, are scored and ranked.
//
// The count walks the open tasks' index once, without scoring.
const worklistBounded = worklistRates + `
clock AS (SELECT extract(epoch FROM @now::timestamptz) / 86400 AS now_day),
seeds AS (
    (SELECT t.customer_id FROM customer_totals t
     WHERE t.task_due_day <= (SELECT now_day FROM clock) - 10 AND EXISTS (` + worklistMatch + `)
     ORDER BY t.priority_base DESC LIMIT @k::int)
    UNION
    (SELECT t.customer_id FROM customer_totals t
     WHERE t.task_due_day > (SELECT now_day FROM clock) - 10 AND EXISTS (` + worklistMatch + `)
     ORDER BY t.priority_base - t.task_due_day DESC LIMIT @k::int)
),
floor AS (
    SELECT coalesce((SELECT s.score FROM (
        SELECT ` + worklistScore + ` AS score
        FROM seeds
        JOIN tasks tk ON tk.customer_id = seeds.customer_id AND tk.status = 'open'
        JOIN customers c ON c.id = tk.customer_id
        JOIN customer_totals t ON t.customer_id = c.id
        LEFT JOIN rates r ON r.currency = c.currency` + worklistParts + `
        WHERE ` + worklistFilters + `) s
      ORDER BY s.score DESC OFFSET @k::int - 1 LIMIT 1), -1e9) AS score
),
bar AS ( -- what priority_base + the clamped due part must reach
    SELECT (SELECT score FROM floor) - @slack::numeric - 0.01 AS v, now_day FROM clock
),
cands AS (
    SELECT t.customer_id, false AS stale FROM customer_totals t, bar
    WHERE t.task_due_day <= bar.now_day - 10 AND t.priority_base >= bar.v - 10
    UNION ALL
    SELECT t.customer_id, false FROM customer_totals t, bar
    WHERE t.task_due_day IS NOT NULL AND t.priority_base - t.task_due_day >= bar.v - bar.now_day
      AND t.task_due_day > bar.now_day - 10 AND t.task_due_day < bar.now_day + 10
    UNION ALL
    SELECT t.customer_id, false FROM customer_totals t, bar
    WHERE t.task_due_day >= bar.now_day + 10 AND t.priority_base >= bar.v + 10
    UNION ALL
    SELECT s.customer_id, true FROM customer_totals s JOIN customers c ON c.id = s.customer_id
    WHERE s.next_due < @stale_due::date AND s.next_due < ` + customerToday + `
    UNION ALL
    SELECT customer_id, true FROM customer_totals WHERE overdue_on < @fresh_since::date
),
ranked AS (
    SELECT tk.id, ` + worklistScore + ` AS score, tk.due_at
    FROM (SELECT customer_id, bool_or(stale) AS stale FROM cands GROUP BY customer_id) k
    JOIN tasks tk ON tk.customer_id = k.customer_id AND tk.status = 'open'
    JOIN customers c ON c.id = tk.customer_id
    JOIN customer_totals t ON t.customer_id = c.id
    LEFT JOIN rates r ON r.currency = c.currency` + worklistParts + `
    WHERE ` + worklistFilters + `
      AND (k.stale OR t.priority_base + @slack::numeric
           + round(greatest(-10, least(10, extract(epoch FROM (@now::timestamptz - tk.due_at))::float8 / 86400))::numeric, 2)
           >= (SELECT score FROM floor))
    ORDER BY score DESC, tk.due_at, tk.id
    LIMIT @limit OFFSET @offset
)
` + worklistPage + `0::bigint` + worklistPageFrom

// worklistCount counts the open tasks worklistBounded ranks: the whole
// perimeter (a credit manager's, an admin's) needs no customer, the open
// tasks' index alone.
const worklistCount = `
SELECT count(*) FROM tasks tk
WHERE tk.status = 'open' AND ` + worklistTaskFilters + `
  AND (@p_all::boolean OR EXISTS (SELECT 1 FROM customers c WHERE c.id = tk.customer_id AND ` + perimeterClause + `))`

// worklistMatch: customer t has an open task the filters keep.
const worklistMatch = `SELECT 1 FROM tasks tk JOIN customers c ON c.id = tk.customer_id
        WHERE tk.customer_id = t.customer_id AND tk.status = 'open' AND ` + worklistFilters

// pruneSlack is how much a customer's exact part of the score may exceed its
// priority_base when it was refreshed on or after yesterday and its next due
// date has not passed: what a rate adds to the amount points (the base reads
// minor units as hundredths of the reporting currency's unit), two days of
// days points (a customer's date runs up to a day ahead of UTC), and the
// rounding of the parts.
func pruneSlack(reporting money.Currency, rates []Rate) float64 {
	worst := 100 / math.Pow10(reporting.Exponent()) // a currency without a rate: its minor units, unconverted
	for _, r := range rates {
		c, err := money.ParseCurrency(r.From)
		v, perr := strconv.ParseFloat(r.Value, 64)
		if err != nil || perr != nil {
			continue
		}
		worst = max(worst, v*math.Pow10(reporting.Exponent()-c.Exponent())*100/math.Pow10(reporting.Exponent()))
	}
	return 10*math.Log10(max(worst, 1)) + 2.0/6 + 0.05
}

// Worklist returns one page of the open tasks inside per, highest priority
// score first, and how many match in all.
func (s *Store) Worklist(ctx context.Context, per Perimeter, f WorklistFilter) ([]WorklistRow, int64, error) {
	var from, value []string
	var shift []int32
	var on []string
	for _, r := range f.Rates {
		c, err := money.ParseCurrency(r.From)
		if err != nil {
			continue // a rate of a currency no customer can have
		}
		from, value, on = append(from, r.From), append(value, r.Value), append(on, r.On.String())
		shift = append(shift, int32(f.Reporting.Exponent()-c.Exponent()))
	}
	tx, err := s.worklistTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }() // read-only
	args := per.args(pgx.NamedArgs{
		"rate_from": from, "rate_value": value, "rate_shift": shift, "rate_on": on, "reporting_exp": f.Reporting.Exponent(),
		"assignee": nullable(f.AssigneeEmail), "role": nullable(string(f.Role)), "kind": nullable(string(f.Kind)),
		"customer": f.CustomerID, "overdue": f.Overdue, "now": f.Now, "limit": f.Limit, "offset": f.Offset,
	})
	// One person's or one customer's tasks are few (an agent's: 4,000 of
	// 200,000): scoring them all is cheaper than bounding them. The team's
	// are every open task: the bounded query reads indexes.
	query := worklistQuery
	var counted chan countResult
	if f.AssigneeEmail == "" && f.CustomerID == nil && !f.Exhaustive {
		query = worklistBounded
		today := dunning.DateOf(f.Now.UTC())
		args["k"], args["slack"] = f.Offset+f.Limit, pruneSlack(f.Reporting, f.Rates)
		args["stale_due"], args["fresh_since"] = today.AddDays(1).String(), today.AddDays(-1).String()
		// Counting the open tasks takes as long as ranking them: both at
		// once, on two connections.
		counted = make(chan countResult, 1)
		go func() {
			var c countResult
			var tc pgx.Tx
			if tc, c.err = s.worklistTx(ctx); c.err == nil {
				c.err = tc.QueryRow(ctx, worklistCount, args).Scan(&c.n)
				_ = tc.Rollback(ctx)
			}
			counted <- c
		}()
	}
	rows, err := tx.Query(ctx, query, args)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorklistRow, error) {
		var w WorklistRow
		var cur string
		var overdue int64
		var reporting *int64
		var rateOn *time.Time
		err := r.Scan(&w.ID, &w.CustomerID, &w.CustomerName, &w.Kind, &w.AssigneeRole, &w.AssigneeEmail, &w.InvoiceIDs, &w.DueAt,
			&w.Note, &w.CreatedAt, &w.Attempts, &cur, &overdue, &reporting, &rateOn, &w.DaysOverdue, &w.RiskClass, &w.TimeZone, &w.BrokenPromises,
			&w.AmountPoints, &w.DaysPoints, &w.RiskPoints, &w.PromisePoints, &w.DuePoints, &w.Score, &total)
		if err != nil {
			return w, err
		}
		w.Status = domain.TaskOpen
		c, err := money.ParseCurrency(cur)
		if err != nil {
			return w, fmt.Errorf("task %d: %w", w.ID, err)
		}
		w.Overdue = money.Money{Minor: overdue, Currency: c}
		if reporting != nil {
			w.OverdueReporting = &money.Money{Minor: *reporting, Currency: f.Reporting}
		}
		if rateOn != nil {
			d := dunning.DateOf(*rateOn)
			w.RateOn = &d
		}
		return w, nil
	})
	if counted != nil {
		c := <-counted
		if err == nil {
			total, err = c.n, c.err
		}
	}
	return list, total, err
}

// worklistSettings are the worklist query's planner settings, for its
// transaction only. JIT compiling costs more than the query takes: the
// planner's estimate of the score's arithmetic over every open task would
// switch it on. And each call is planned for its own arguments: a cached
// generic plan, which Postgres picks after five calls of a prepared
// statement, cannot drop the filters whose argument is NULL, and reads every
// open task for one agent's list (31 ms planned for its arguments, 55–70 ms
// from the sixth call on, measured at 1,000,000 invoices).
const worklistSettings = `SELECT set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)`

// worklistTx begins a read-only transaction with worklistSettings.
func (s *Store) worklistTx(ctx context.Context) (pgx.Tx, error) {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, worklistSettings); err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	return tx, nil
}

type countResult struct {
	n   int64
	err error
}

// refreshDayOldTotals recomputes the totals of up to $1 customers computed
// before the customer's own today, or past their next due date.
const refreshDayOldTotals = `
WITH stale AS (
    SELECT coalesce(array_agg(customer_id), '{}') AS ids FROM (
        SELECT t.customer_id FROM customer_totals t JOIN customers c ON c.id = t.customer_id
        WHERE t.overdue_on < ` + customerToday + ` OR t.next_due < ` + customerToday + `
        ORDER BY t.customer_id LIMIT $1) s
)
SELECT n FROM (SELECT cardinality(ids) AS n, customer_totals_refresh(ids) AS done FROM stale) r`

// RefreshStaleTotals brings up to date the totals (overdue amount, days
// overdue, next due date: customer_totals) of at most limit customers whose
// own date has turned since they were computed, or whose next due date has
// passed, and says how many. Invoice writes refresh their customers; the
// daily sweep (activities.Waker.WakeOpen) calls this until it returns less
// than limit, so the worklist's bound (worklistBounded) stays tight.
func (s *Store) RefreshStaleTotals(ctx context.Context, limit int) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, refreshDayOldTotals, limit).Scan(&n)
	return n, err
}

// The claim takes a task inside the perimeter for user; anyRole lets a
// manager take any task, others only the tasks of their own role.
const claimTask = `
WITH old AS (
    SELECT t.id, t.assignee_id FROM tasks t
    WHERE t.id = @id AND t.status = 'open' AND (@any_role::boolean OR t.assignee_role = @role::text) AND ` + taskInPerimeter + `
    FOR UPDATE)
UPDATE tasks SET assignee_id = @user FROM old WHERE tasks.id = old.id
RETURNING tasks.customer_id, old.assignee_id`

// ClaimTask makes user the assignee of task id and journals it
// ("task.claim"). It returns the task's customer. A task outside per is not
// found; a closed one, or one for another role, is a conflict.
func (s *Store) ClaimTask(ctx context.Context, per Perimeter, id, user int64, role domain.Role, anyRole bool, actor string) (int64, error) {
	var customerID int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var before *int64
		err := tx.QueryRow(ctx, claimTask, per.args(pgx.NamedArgs{"id": id, "user": user, "role": string(role), "any_role": anyRole})).
			Scan(&customerID, &before)
		if errors.Is(err, pgx.ErrNoRows) {
			return taskNotOpen(ctx, tx, per, id)
		}
		if err != nil {
			return err
		}
		b, _ := json.Marshal(map[string]any{"task_id": id, "assignee_id": before})
		a, _ := json.Marshal(map[string]any{"task_id": id, "assignee_id": user})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "task.claim", Target: customerTarget(customerID), Before: b, After: a})
	})
	return customerID, err
}

const taskState = `SELECT t.status, t.assignee_role FROM tasks t WHERE t.id = @id AND ` + taskInPerimeter

// taskNotOpen explains why a statement on the open task id inside per found
// no row: not found outside per, a conflict when it is closed, or (ClaimTask)
// when it is for another role.
func taskNotOpen(ctx context.Context, tx pgx.Tx, per Perimeter, id int64) error {
	var status, role string
	err := tx.QueryRow(ctx, taskState, per.args(pgx.NamedArgs{"id": id})).Scan(&status, &role)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.Errorf(domain.CodeNotFound, "task %d not found", id)
	case err != nil:
		return err
	case status != string(domain.TaskOpen):
		return domain.Errorf(domain.CodeConflict, "task %d is already %s", id, status)
	}
	return domain.Errorf(domain.CodeConflict, "task %d is for the %s role", id, role)
}

// OpenTask is a task being completed, as the decision on it needs it.
type OpenTask struct {
	ID, CustomerID int64
	Kind           domain.TaskKind
	AssigneeRole   domain.Assignee
	AssigneeID     *int64
	InvoiceIDs     []int64
	Attempts       int
	Country        string // the customer's: its business days
	TimeZone       string
	Currency       string // the customer's: a promise's amount is in it unless said otherwise
}

// Completion is what completing a task does: the outcome recorded on it,
// the tasks that follow, and whether its invoices go on hold (a dispute).
type Completion struct {
	Outcome    domain.Outcome
	Detail     map[string]any // the outcome's fields, journaled
	Resolution string         // shown in the task list
	FollowUps  []Task
	Dispute    bool
	// DisputeReason is the reason code of the dispute case a dispute opens.
	DisputeReason string
	Promise       *NewPromise // a promise to pay made on the call, recorded with the completion
	// InvalidContact marks the customer's "email" or "phone" as not reaching
	// them (wrong_contact): reminders skip that channel until it is fixed.
	InvalidContact string
	// HoldUntil holds the task's open invoices through this date
	// (paid_claimed), keeping holds they already have.
	HoldUntil  *dunning.Date
	HoldReason string
}

// Completed is what completing a task did.
type Completed struct {
	CustomerID int64
	FollowUps  []int64 // the tasks created
	Disputed   []int64 // the invoices put on hold
	CaseID     int64   // the dispute case opened on them
	Promise    *Promise
	Held       []int64 // the invoices newly held (HoldUntil)
}

const lockOpenTask = `
SELECT t.customer_id, t.kind, t.assignee_role, t.assignee_id, t.invoice_ids, t.attempts, c.country, c.timezone, c.currency
FROM tasks t JOIN customers c ON c.id = t.customer_id
WHERE t.id = @id AND t.status = 'open' AND ` + taskInPerimeter + `
FOR UPDATE OF t`

const completeTask = `
UPDATE tasks SET status = 'done', outcome = $2, outcome_detail = $3, resolution = $4, closed_by = $5, closed_at = now()
WHERE id = $1`

// disputableOf: the open invoices among ids of the customer, which a dispute may name.
const disputableOf = `
SELECT id FROM invoices
WHERE customer_id = $1 AND id = ANY ($2::bigint[]) AND type = 'invoice' AND status = 'open' AND open_minor > 0
ORDER BY id`

// disputeTask opens a dispute case (source task) on the task's open
// invoices, in the completion's transaction: they become disputed, which
// the planner holds. With none open, the request is only journaled
// ("dispute.request").
func disputeTask(ctx context.Context, tx pgx.Tx, ot OpenTask, c Completion, actor string, done *Completed) error {
	rows, err := tx.Query(ctx, disputableOf, ot.CustomerID, ot.InvoiceIDs)
	if err != nil {
		return err
	}
	open, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if len(open) == 0 {
		after, _ := json.Marshal(map[string]any{"task_id": ot.ID, "invoice_ids": []int64{}, "detail": c.Detail})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "dispute.request", Target: customerTarget(ot.CustomerID), After: after})
	}
	nc := NewCase{Type: domain.CaseDispute, CustomerID: ot.CustomerID, Reason: c.DisputeReason, Source: "task", Actor: actor}
	if note, ok := c.Detail["note"].(string); ok {
		nc.Description = note
	}
	for _, id := range open {
		nc.Invoices = append(nc.Invoices, NewCaseInvoice{InvoiceID: id})
	}
	if done.CaseID, err = openCase(ctx, tx, Everything, nc); err != nil {
		return err
	}
	done.Disputed = open
	return nil
}

// CompleteTask closes the open task id with what decide makes of it, in one
// transaction: the outcome on the task, the follow-up tasks, the invoices on
// hold for a dispute, the promise to pay (CreatePromise's rule), each
// journaled. A task outside per is not found; one already closed is a conflict. decide's error (a validation) aborts it all.
func (s *Store) CompleteTask(ctx context.Context, per Perimeter, id int64, actor string, decide func(OpenTask) (Completion, error)) (Completed, error) {
	var done Completed
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		ot := OpenTask{ID: id}
		err := tx.QueryRow(ctx, lockOpenTask, per.args(pgx.NamedArgs{"id": id})).
			Scan(&ot.CustomerID, &ot.Kind, &ot.AssigneeRole, &ot.AssigneeID, &ot.InvoiceIDs, &ot.Attempts, &ot.Country, &ot.TimeZone, &ot.Currency)
		if errors.Is(err, pgx.ErrNoRows) {
			return taskNotOpen(ctx, tx, per, id)
		}
		if err != nil {
			return err
		}
		done.CustomerID = ot.CustomerID
		c, err := decide(ot)
		if err != nil {
			return err
		}
		detail, err := json.Marshal(c.Detail)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, completeTask, id, string(c.Outcome), detail, c.Resolution, actor); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"task_id": id, "kind": ot.Kind, "outcome": c.Outcome, "detail": c.Detail})
		if err := Journal(ctx, tx, Entry{Actor: actor, Action: "task.complete", Target: customerTarget(ot.CustomerID), After: after}); err != nil {
			return err
		}
		if c.Promise != nil {
			np := *c.Promise
			np.CustomerID, np.Actor = ot.CustomerID, actor
			p, err := createPromise(ctx, tx, np)
			if err != nil {
				return err
			}
			done.Promise = &p
		}
		if c.InvalidContact != "" {
			if err := setContactInvalid(ctx, tx, ot.CustomerID, c.InvalidContact, true, c.Resolution, actor); err != nil {
				return err
			}
		}
		if c.HoldUntil != nil {
			for _, inv := range ot.InvoiceIDs {
				_, err := holdInvoice(ctx, tx, HoldWrite{CustomerID: ot.CustomerID, InvoiceID: inv, Until: c.HoldUntil,
					Reason: c.HoldReason, By: actor, Key: fmt.Sprintf("task/%d/hold/%d", id, inv)})
				switch {
				case err == nil:
					done.Held = append(done.Held, inv)
				case domain.ErrorCode(err) == domain.CodeConflict || domain.ErrorCode(err) == domain.CodeNotFound:
					// paid since, or held already: that hold stays as it is
				default:
					return err
				}
			}
		}
		if c.Dispute {
			if err := disputeTask(ctx, tx, ot, c, actor, &done); err != nil {
				return err
			}
		}
		for _, f := range c.FollowUps {
			f.CustomerID, f.Actor = ot.CustomerID, actor
			fid, _, err := createTask(ctx, tx, f)
			if err != nil {
				return err
			}
			done.FollowUps = append(done.FollowUps, fid)
		}
		return nil
	})
	if err == nil {
		metrics.TaskClosed("completed")
	}
	return done, err
}
