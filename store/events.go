package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
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
	// (numbering is serialized by commit), so the feed may go up to it. The
	// retention sweep deletes transactions' rows with their events: what it
	// deleted was committed too.
	eventsTop = `SELECT greatest(coalesce((SELECT max(last_id) FROM event_commits), 0), h.deleted_through)
FROM event_horizon h`
	// eventsHorizon: every id up to deleted_through was deleted by the retention sweep.
	eventsHorizon = `SELECT deleted_through, deleted_before FROM event_horizon`
	// eventsFrom is the first id of the transaction holding the id after $1.
	eventsFrom = `SELECT first_id FROM event_commits WHERE last_id > $1 ORDER BY last_id LIMIT 1`
	// eventColumns: an invoice.created event keeps its payload's fields
	// typed and its json is rendered here (event_payload, migration 00046).
	eventColumns = `k.first_id + e.ordinal - 1, e.type, e.occurred_at, e.customer_id, e.customer_external_id, e.invoice_id,
       e.invoice_external_id, e.case_id, event_payload(e)`
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
	if err := s.eventsKept(ctx, q.After); err != nil {
		return page, err
	}
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
	// A sweep that committed while the windows were read may have taken
	// some of them: asked again, the horizon says so (it deletes in id order
	// and moves the horizon in the same transaction), so nothing is skipped
	// without a word.
	if err := s.eventsKept(ctx, q.After); err != nil {
		return EventPage{Events: []Event{}, Next: q.After}, err
	}
	return page, nil
}

// eventsKept answers a CodeGone error when events after after were deleted by retention.
func (s *Store) eventsKept(ctx context.Context, after int64) error {
	h, err := s.EventHorizon(ctx)
	if err != nil || after >= h.DeletedThrough {
		return err
	}
	return EventsDeleted(after, h)
}

// EventHorizon says how far the retention sweep deleted.
type EventHorizon struct {
	DeletedThrough int64      // every id up to it was deleted (0: none)
	DeletedBefore  *time.Time // the age limit of the latest sweep that deleted some
}

// EventHorizon reads how far the retention sweep deleted.
func (s *Store) EventHorizon(ctx context.Context) (EventHorizon, error) {
	var h EventHorizon
	err := s.Pool.QueryRow(ctx, eventsHorizon).Scan(&h.DeletedThrough, &h.DeletedBefore)
	return h, err
}

// EventsDeleted is the error of a read (feed, delivery, redelivery) from
// after, behind the retention horizon h: what was deleted and where to start again.
func EventsDeleted(after int64, h EventHorizon) error {
	older := ""
	if h.DeletedBefore != nil {
		older = " (older than " + h.DeletedBefore.UTC().Format(time.RFC3339) + ", RECOUP_EVENTS_RETENTION_DAYS)"
	}
	return domain.Errorf(domain.CodeGone, "events %d to %d were deleted by retention%s: the oldest kept is after %d; "+
		"read from after=%d, and take what was missed from the lists (invoices, payments, cases)",
		after+1, h.DeletedThrough, older, h.DeletedThrough, h.DeletedThrough)
}

// Retention deletes at most about eventSweepBatch events per transaction,
// looking at most at eventSweepScan transactions' rows.
const (
	eventSweepBatch = 10_000
	eventSweepScan  = 2_000
)

const (
	// lockEventHorizon serializes sweeps.
	lockEventHorizon = `SELECT deleted_through FROM event_horizon FOR UPDATE`
	// deleteOldEvents deletes the oldest transactions' events, in id order,
	// as long as they are older than @before and every active subscription
	// delivered them (@delivered: the smallest cursor), about @batch events
	// at most (at least one transaction), and moves the horizon past them.
	// A transaction's events share its start time (occurred_at), read from
	// its first event. The next @scan transactions are taken first (by the
	// first_id index), so a batch does not read the whole table.
	deleteOldEvents = `
WITH next AS (
    SELECT xid, first_id, last_id FROM event_commits WHERE first_id > @through ORDER BY first_id LIMIT @scan
), k AS (
    SELECT k.xid, k.last_id,
           sum(k.last_id - k.first_id + 1) OVER w - (k.last_id - k.first_id + 1) AS earlier,
           bool_and(e.occurred_at < @before AND k.last_id <= @delivered) OVER w AS old
    FROM next k JOIN events e ON e.xid = k.xid AND e.ordinal = 1
    WINDOW w AS (ORDER BY k.first_id)
), doomed AS (
    SELECT xid, last_id FROM k WHERE old AND earlier < @batch
), gone_events AS (
    DELETE FROM events e USING doomed d WHERE e.xid = d.xid RETURNING 1
), gone_commits AS (
    DELETE FROM event_commits c USING doomed d WHERE c.xid = d.xid RETURNING c.last_id
)
UPDATE event_horizon SET deleted_through = (SELECT max(last_id) FROM gone_commits), deleted_before = @before
WHERE EXISTS (SELECT 1 FROM gone_commits)
RETURNING deleted_through, (SELECT count(*) FROM gone_events)`
	// activeCursor is the smallest cursor of the active subscriptions (none: no limit).
	activeCursor = `SELECT coalesce(min(last_delivered_id), 9223372036854775807) FROM webhooks WHERE state = 'active'`
)

// DeleteOldEvents deletes one batch of the events older than before that
// every active subscription delivered (their cursors are past them), the
// oldest first, in one transaction with the horizon's move; deleted 0: none
// left. A subscription that is not active does not hold events back.
func (s *Store) DeleteOldEvents(ctx context.Context, before time.Time) (deleted, through int64, err error) {
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var from, delivered int64
		if err := tx.QueryRow(ctx, lockEventHorizon).Scan(&from); err != nil {
			return err
		}
		// Read after the lock: a subscription's cursor only moves forward
		// but for a redelivery, which is refused behind the horizon.
		if err := tx.QueryRow(ctx, activeCursor).Scan(&delivered); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, deleteOldEvents, pgx.NamedArgs{"before": before.UTC(), "delivered": delivered,
			"through": from, "batch": eventSweepBatch, "scan": eventSweepScan}).Scan(&through, &deleted)
		if errors.Is(err, pgx.ErrNoRows) {
			through = from
			return nil
		}
		return err
	})
	return deleted, through, err
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
