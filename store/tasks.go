package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/metrics"
)

// TaskView is a task as people see it in their work list.
type TaskView struct {
	ID            int64
	CustomerID    int64
	CustomerName  string
	Kind          domain.TaskKind
	AssigneeRole  domain.Assignee
	AssigneeEmail string
	InvoiceIDs    []int64
	DueAt         time.Time
	Note          string
	Status        domain.TaskStatus
	Resolution    string
	ClosedBy      string
	CreatedAt     time.Time
	ClosedAt      *time.Time
}

// TaskFilter narrows the work list; empty fields do not filter.
type TaskFilter struct {
	AssigneeEmail string
	Role          domain.Assignee
	Status        domain.TaskStatus
	Kind          domain.TaskKind
	CustomerID    *int64
	Overdue       *bool      // past its due time
	ClosedSince   *time.Time // closed at or after (the tasks done today)
	domain.Page
}

const taskColumns = `t.id, t.customer_id, c.name, t.kind, t.assignee_role, coalesce(u.email, ''), t.invoice_ids, t.due_at,
       t.note, t.status, t.resolution, t.closed_by, t.created_at, t.closed_at`

// Oldest due first: the work list of an agent.
const listTasks = `
SELECT ` + taskColumns + `, count(*) OVER ()
FROM tasks t
JOIN customers c ON c.id = t.customer_id
LEFT JOIN users u ON u.id = t.assignee_id
WHERE (@assignee::text IS NULL OR u.email = @assignee::text)
  AND (@role::text IS NULL OR t.assignee_role = @role::text)
  AND (@status::text IS NULL OR t.status = @status::text)
  AND (@kind::text IS NULL OR t.kind = @kind::text)
  AND (@customer::bigint IS NULL OR t.customer_id = @customer::bigint)
  AND (@overdue::boolean IS NULL OR (t.due_at < now()) = @overdue::boolean)
  AND (@closed_since::timestamptz IS NULL OR t.closed_at >= @closed_since::timestamptz)
  AND ` + perimeterClause + `
ORDER BY t.due_at, t.id
LIMIT @limit OFFSET @offset`

// taskInPerimeter: the task's customer is inside the perimeter, and a
// department acts only on what is routed to it.
const taskInPerimeter = `EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id AND ` + perimeterClause + `)
    AND (@p_department::text IS NULL OR t.assignee_role = @p_department::text)`

const closeTask = `
UPDATE tasks t SET status = 'done', resolution = @resolution, closed_by = @actor, closed_at = now()
WHERE t.id = @id AND t.status = 'open' AND ` + taskInPerimeter + `
RETURNING t.customer_id, t.kind`

// ListTasks returns one page of the tasks of customers inside per and how many match in all.
func (s *Store) ListTasks(ctx context.Context, per Perimeter, f TaskFilter) ([]TaskView, int64, error) {
	rows, err := s.Pool.Query(ctx, listTasks, per.args(pgx.NamedArgs{
		"assignee": nullable(f.AssigneeEmail), "role": nullable(string(f.Role)), "status": nullable(string(f.Status)), "kind": nullable(string(f.Kind)),
		"customer": f.CustomerID, "overdue": f.Overdue, "closed_since": f.ClosedSince, "limit": f.Limit, "offset": f.Offset,
	}))
	if err != nil {
		return nil, 0, err
	}
	var total int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TaskView, error) {
		var t TaskView
		err := r.Scan(&t.ID, &t.CustomerID, &t.CustomerName, &t.Kind, &t.AssigneeRole, &t.AssigneeEmail, &t.InvoiceIDs, &t.DueAt,
			&t.Note, &t.Status, &t.Resolution, &t.ClosedBy, &t.CreatedAt, &t.ClosedAt, &total)
		return t, err
	})
	return list, total, err
}

// CloseTask records a person's decision on a task. Closing an escalation lets
// automatic reminders resume for its invoices at the account's next evaluation.
// It returns the task's customer. A task outside per is not found.
func (s *Store) CloseTask(ctx context.Context, per Perimeter, id int64, resolution, actor string) (int64, error) {
	var customerID int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var kind string
		err := tx.QueryRow(ctx, closeTask, per.args(pgx.NamedArgs{"id": id, "resolution": resolution, "actor": actor})).Scan(&customerID, &kind)
		if errors.Is(err, pgx.ErrNoRows) {
			return taskNotOpen(ctx, tx, per, id)
		}
		if err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"task_id": id, "kind": kind, "resolution": resolution})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "task.close", Target: fmt.Sprintf("customer/%d", customerID), After: after})
	})
	if err == nil {
		metrics.TaskClosed("closed")
	}
	return customerID, err
}

// Task is work for a person: one a dunning action creates, one that a task's
// outcome makes follow, or one a person asks for.
type Task struct {
	Key          string // the action's idempotency key: one task per key
	CustomerID   int64
	Kind         domain.TaskKind
	AssigneeRole domain.Assignee
	// AssigneeID or AssigneeEmail name the person; when both are empty the
	// role decides (below).
	AssigneeID    *int64
	AssigneeEmail string
	InvoiceIDs    []int64
	DueAt         time.Time
	Note          string // why the task exists; journaled
	Attempts      int    // calls in a row nobody answered, before this task
	Actor         string // for the journal; "" is "system"
	// MergeCall: a call task for an account whose same assignee already has
	// one open joins it (its invoices added, the earlier due time kept)
	// rather than making a second; dunning's call steps set it.
	MergeCall bool
}

// openCallTask finds the open call task a new one for the same customer and
// assignee would join, locked; the assignee is the one insertTask would pick.
const openCallTask = `
SELECT t.id FROM tasks t JOIN customers c ON c.id = t.customer_id
WHERE t.customer_id = $1 AND t.kind = 'call' AND t.status = 'open' AND t.assignee_role = $2
  AND t.assignee_id IS NOT DISTINCT FROM CASE WHEN $3::bigint IS NOT NULL THEN $3::bigint ELSE CASE $2
      WHEN 'agent' THEN c.agent_id WHEN 'sales_rep' THEN c.sales_rep_id ELSE t.assignee_id END END
ORDER BY t.id LIMIT 1
FOR UPDATE OF t`

// mergeIntoCall adds invoices to an open call task and keeps the earlier due
// time; running it again changes nothing.
const mergeIntoCall = `
UPDATE tasks SET invoice_ids = ARRAY(SELECT DISTINCT unnest(invoice_ids || $2::bigint[]) ORDER BY 1),
       due_at = least(due_at, $3)
WHERE id = $1`

// The assignee_id is the one given, else follows the assignee
// (domain.Assignee): the customer's agent or sales rep; for the credit
// managers the only user with that role if there is exactly one; otherwise
// (and for a department) NULL, and the task waits in the queue of that role
// or department.
const insertTask = `
INSERT INTO tasks (key, customer_id, kind, assignee_role, assignee_id, invoice_ids, due_at, note, attempts)
SELECT $1, c.id, $3, $4,
       CASE WHEN $8::bigint IS NOT NULL THEN $8::bigint ELSE CASE $4
           WHEN 'agent' THEN c.agent_id
           WHEN 'sales_rep' THEN c.sales_rep_id
           WHEN 'credit_manager' THEN (SELECT min(u.id) FROM users u WHERE u.role = 'credit_manager' HAVING count(*) = 1)
       END END,
       $5, $6, $7, $9
FROM customers c
WHERE c.id = $2
ON CONFLICT (key) DO NOTHING
RETURNING id, assignee_id`

// userByEmail: a department user's tasks carry their department.
const userByEmail = `SELECT id, CASE WHEN role = 'department' THEN coalesce(nullif(department, ''), role) ELSE role END FROM users WHERE email = $1`

// CreateTask creates the task t.Key unless it exists, and journals the
// creation ("task.create", target "customer/<id>"). created is false, with
// the existing task's id, when the key already had a task. An unknown
// customer is a domain CodeNotFound error.
func (s *Store) CreateTask(ctx context.Context, t Task) (id int64, created bool, err error) {
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		id, created, err = createTask(ctx, tx, t)
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return id, created, nil
}

func createTask(ctx context.Context, tx pgx.Tx, t Task) (id int64, created bool, err error) {
	assigneeID := t.AssigneeID
	if assigneeID == nil && t.AssigneeEmail != "" {
		var u int64
		var role string
		err := tx.QueryRow(ctx, userByEmail, t.AssigneeEmail).Scan(&u, &role)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false, domain.FieldError("assignee_email", "no user %s", t.AssigneeEmail)
		} else if err != nil {
			return 0, false, err
		}
		assigneeID = &u
		if t.AssigneeRole == "" {
			t.AssigneeRole = domain.Assignee(role)
		}
	}
	switch {
	case t.Key == "":
		return 0, false, domain.FieldError("key", "required")
	case !t.Kind.Valid():
		return 0, false, domain.FieldError("kind", "%q is unknown: want %s", t.Kind, domain.Choices(domain.TaskKinds))
	case t.AssigneeRole == "":
		return 0, false, domain.FieldError("assignee_role", "required")
	case t.DueAt.IsZero():
		return 0, false, domain.FieldError("due_at", "required")
	}
	ids := t.InvoiceIDs
	if ids == nil {
		ids = []int64{}
	}
	if t.MergeCall && t.Kind == domain.TaskCall {
		var open int64
		err := tx.QueryRow(ctx, openCallTask, t.CustomerID, string(t.AssigneeRole), assigneeID).Scan(&open)
		if err == nil {
			return open, false, mergeCall(ctx, tx, open, t, ids)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, false, err
		}
	}
	var assignee *int64
	err = tx.QueryRow(ctx, insertTask, t.Key, t.CustomerID, string(t.Kind), string(t.AssigneeRole), ids, t.DueAt, t.Note, assigneeID, t.Attempts).
		Scan(&id, &assignee)
	if errors.Is(err, pgx.ErrNoRows) {
		err := tx.QueryRow(ctx, `SELECT id FROM tasks WHERE key = $1`, t.Key).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false, domain.Errorf(domain.CodeNotFound, "customer %d not found", t.CustomerID)
		}
		return id, false, err
	}
	if err != nil {
		return 0, false, err
	}
	if assignee != nil && t.Kind != domain.TaskCase { // a case's SLA alert notifies as such
		if err := notifyTaskAssignee(ctx, tx, *assignee, id, t.CustomerID, t.Kind, t.Actor); err != nil {
			return 0, false, err
		}
	}
	if err := journalTask(ctx, tx, t, "task.create", map[string]any{
		"task_id": id, "key": t.Key, "kind": t.Kind, "assignee_role": t.AssigneeRole, "assignee_id": assignee,
		"invoice_ids": ids, "due_at": t.DueAt.UTC(), "note": t.Note,
	}); err != nil {
		return 0, false, err
	}
	// Counted here, inside the caller's transaction (tasks are made in many of
	// them): one that fails after this point over-counts by one.
	metrics.TaskCreated(string(t.Kind))
	return id, true, nil
}

// mergeCall joins a call step's invoices to the open call task, journaled
// "task.merge" on the customer.
func mergeCall(ctx context.Context, tx pgx.Tx, id int64, t Task, ids []int64) error {
	if _, err := tx.Exec(ctx, mergeIntoCall, id, ids, t.DueAt); err != nil {
		return err
	}
	return journalTask(ctx, tx, t, "task.merge", map[string]any{"task_id": id, "key": t.Key, "invoice_ids": ids, "note": t.Note})
}

// journalTask journals what createTask did with t on its customer, by
// t.Actor ("" is "system").
func journalTask(ctx context.Context, tx pgx.Tx, t Task, action string, after map[string]any) error {
	a, err := json.Marshal(after)
	if err != nil {
		return err
	}
	actor := t.Actor
	if actor == "" {
		actor = "system"
	}
	return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: customerTarget(t.CustomerID), After: a})
}
