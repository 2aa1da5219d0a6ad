package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// JournalRow is one audit journal row as the compliance view shows it.
type JournalRow struct {
	Seq       int64
	At        time.Time
	Actor     string
	Action    string
	Target    string
	Before    json.RawMessage
	After     json.RawMessage
	RequestID string
}

// MaxHistoryRows bounds one history answer; a longer one says it was cut.
const MaxHistoryRows = 10_000

// A customer's rows: those about the customer, and the delivery reports of
// the messages sent to them (journaled by provider reference).
const customerJournal = `
SELECT j.seq, j.at, j.actor, j.action, j.target, j.before, j.after, j.request_id
FROM audit_journal j
WHERE (j.target = 'customer/' || @id::bigint::text
       OR j.target IN (SELECT 'message/' || m.provider_ref FROM message_log m WHERE m.customer_id = @id::bigint AND m.provider_ref <> ''))
  AND (@from::timestamptz IS NULL OR j.at >= @from::timestamptz)
  AND (@to::timestamptz IS NULL OR j.at < @to::timestamptz)
ORDER BY j.seq
LIMIT @limit`

// CustomerJournal returns the journal rows about one customer, oldest first,
// within [from, to) when given, at most limit of them.
func (s *Store) CustomerJournal(ctx context.Context, customerID int64, from, to *time.Time, limit int) ([]JournalRow, error) {
	rows, err := s.Pool.Query(ctx, customerJournal, pgx.NamedArgs{"id": customerID, "from": from, "to": to, "limit": limit})
	if err != nil {
		return nil, err
	}
	return collectJournal(rows)
}

// Append journals one entry on its own, for actions whose effect lives
// outside Postgres (a workflow paused in Temporal, a history read).
func (s *Store) Append(ctx context.Context, e Entry) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error { return Journal(ctx, tx, e) })
}

// collectJournal reads journal rows selected in JournalRow's column order.
func collectJournal(rows pgx.Rows) ([]JournalRow, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (JournalRow, error) {
		var j JournalRow
		err := r.Scan(&j.Seq, &j.At, &j.Actor, &j.Action, &j.Target, &j.Before, &j.After, &j.RequestID)
		return j, err
	})
}
