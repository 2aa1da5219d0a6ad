package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
)

// Entry is one row of the append-only audit journal.
type Entry struct {
	Actor     string // user, token, "cli", "system" or a workflow ID
	Action    string // e.g. "scenario.update"
	Target    string // e.g. "scenario/3", "customer/42"
	Before    json.RawMessage
	After     json.RawMessage
	RequestID string
}

const insertJournalEntry = `
INSERT INTO audit_journal (actor, action, target, before, after, request_id) VALUES ($1, $2, $3, $4, $5, $6)`

type requestIDKey struct{}

// WithRequestID marks ctx as serving one API request, so every journal row
// written for it carries the request's id without each call passing it on.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// Journal appends e inside tx, so the change and its record commit together.
func Journal(ctx context.Context, tx pgx.Tx, e Entry) error {
	if e.RequestID == "" {
		e.RequestID, _ = ctx.Value(requestIDKey{}).(string)
	}
	_, err := tx.Exec(ctx, insertJournalEntry, e.Actor, e.Action, e.Target, nullJSON(e.Before), nullJSON(e.After), e.RequestID)
	return err
}

func nullJSON(j json.RawMessage) any {
	if len(j) == 0 {
		return nil
	}
	return []byte(j)
}
