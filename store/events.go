package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// Event is one fact of the event feed (the events outbox, migration 00036):
// written by triggers in the transaction of the change, numbered at its commit.
type Event struct {
	ID                 int64           `json:"id"`
	Type               string          `json:"type"`
	OccurredAt         time.Time       `json:"occurred_at"`
	CustomerID         *int64          `json:"customer_id"`
	CustomerExternalID *string         `json:"customer_external_id"`
	InvoiceID          *int64          `json:"invoice_id"`
	InvoiceExternalID  *string         `json:"invoice_external_id"`
	CaseID             *int64          `json:"case_id"`
	Payload            json.RawMessage `json:"payload"`
}

// EventTypes are the types the triggers write, in the README's order.
var EventTypes = []string{
	"invoice.created", "invoice.updated", "invoice.paid", "invoice.disputed",
	"payment.received",
	"reminder.sent", "reminder.failed",
	"task.created", "task.completed", "task.cancelled",
	"promise.created", "promise.kept", "promise.broken", "promise.cancelled",
	"plan.created", "plan.completed", "plan.broken", "plan.cancelled",
	"case.opened", "case.routed", "case.decided", "case.closed",
	"customer.credit_hold", "customer.released", "customer.reassigned",
	"import.completed",
}

// EventQuery reads the feed from a position: the events after After, of
// these types (none: all), at most Limit.
type EventQuery struct {
	After int64
	Types []string
	Limit int
}

const eventColumns = `e.id, e.type, e.occurred_at, e.customer_id, e.customer_external_id, e.invoice_id,
       e.invoice_external_id, e.case_id, e.payload`

// listEvents reads numbered events in id order. An event without a customer
// (import.completed) is for callers who see every customer.
const listEvents = `
SELECT ` + eventColumns + `
FROM events e LEFT JOIN customers c ON c.id = e.customer_id
WHERE e.id > @after
  AND (cardinality(@types::text[]) = 0 OR e.type = ANY (@types::text[]))
  AND (CASE WHEN e.customer_id IS NULL THEN @p_everyone::boolean ELSE ` + perimeterClause + ` END)
ORDER BY e.id
LIMIT @limit`

// Events reads the feed inside per.
func (s *Store) Events(ctx context.Context, per Perimeter, q EventQuery) ([]Event, error) {
	types := q.Types
	if types == nil {
		types = []string{}
	}
	args := per.args(pgx.NamedArgs{"after": q.After, "types": types, "limit": q.Limit, "p_everyone": per.everyone()})
	rows, err := s.Pool.Query(ctx, listEvents, args)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanEvent)
}

// LastEventID is the id of the latest numbered event (0: none yet).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM events`).Scan(&id)
	return id, err
}

func scanEvent(r pgx.CollectableRow) (Event, error) {
	var e Event
	err := r.Scan(&e.ID, &e.Type, &e.OccurredAt, &e.CustomerID, &e.CustomerExternalID, &e.InvoiceID,
		&e.InvoiceExternalID, &e.CaseID, &e.Payload)
	return e, err
}
