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

// EventPage is a page of the feed and the position to read from next: the
// last event's id when the page is full, else how far the feed was scanned
// (events that did not match the types or the perimeter are skipped for good).
type EventPage struct {
	Events []Event
	Next   int64
	More   bool // events after Next were committed already
}

// The feed is read in windows of eventWindow ids, at most eventWindows of
// them per page, so a filter that matches little neither scans the whole
// table at once nor leaves its reader without progress.
const (
	eventWindow  = 5000
	eventWindows = 50
)

const (
	// eventsTop is the highest id given: every id up to it is committed
	// (numbering is serialized by commit), so the feed may go up to it.
	eventsTop = `SELECT coalesce(max(last_id), 0) FROM event_commits`
	// eventsFrom is the first id of the transaction holding the id after $1.
	eventsFrom   = `SELECT first_id FROM event_commits WHERE last_id > $1 ORDER BY last_id LIMIT 1`
	eventColumns = `k.first_id + e.ordinal - 1, e.type, e.occurred_at, e.customer_id, e.customer_external_id, e.invoice_id,
       e.invoice_external_id, e.case_id, e.payload`
	// listEvents reads the ids after @after up to @to, in order, from the
	// transactions starting at @from. An event without a customer
	// (import.completed) is for callers who see every customer.
	listEvents = `
SELECT ` + eventColumns + `
FROM event_commits k
JOIN events e ON e.xid = k.xid
LEFT JOIN customers c ON c.id = e.customer_id
WHERE k.first_id >= @from AND k.first_id <= @to
  AND e.ordinal > @after - k.first_id + 1 AND e.ordinal <= @to - k.first_id + 1
  AND (cardinality(@types::text[]) = 0 OR e.type = ANY (@types::text[]))
  AND (CASE WHEN e.customer_id IS NULL THEN @p_everyone::boolean ELSE ` + perimeterClause + ` END)
ORDER BY k.first_id, e.ordinal
LIMIT @limit`
)

// Events reads the feed inside per.
func (s *Store) Events(ctx context.Context, per Perimeter, q EventQuery) (EventPage, error) {
	types := q.Types
	if types == nil {
		types = []string{}
	}
	page := EventPage{Events: []Event{}, Next: q.After}
	var top int64
	if err := s.Pool.QueryRow(ctx, eventsTop).Scan(&top); err != nil {
		return page, err
	}
	for range eventWindows {
		if page.Next >= top || len(page.Events) >= q.Limit {
			break
		}
		var from int64
		if err := s.Pool.QueryRow(ctx, eventsFrom, page.Next).Scan(&from); err != nil {
			return page, err
		}
		to := min(page.Next+eventWindow, top)
		args := per.args(pgx.NamedArgs{"after": page.Next, "from": from, "to": to, "types": types,
			"limit": q.Limit - len(page.Events), "p_everyone": per.everyone()})
		rows, err := s.Pool.Query(ctx, listEvents, args)
		if err != nil {
			return page, err
		}
		got, err := pgx.CollectRows(rows, scanEvent)
		if err != nil {
			return page, err
		}
		page.Events = append(page.Events, got...)
		page.Next = to
		if len(page.Events) >= q.Limit {
			page.Next = page.Events[len(page.Events)-1].ID
		}
	}
	page.More = page.Next < top
	return page, nil
}

// LastEventID is the id of the latest event (0: none yet).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, eventsTop).Scan(&id)
	return id, err
}

func scanEvent(r pgx.CollectableRow) (Event, error) {
	var e Event
	err := r.Scan(&e.ID, &e.Type, &e.OccurredAt, &e.CustomerID, &e.CustomerExternalID, &e.InvoiceID,
		&e.InvoiceExternalID, &e.CaseID, &e.Payload)
	return e, err
}
