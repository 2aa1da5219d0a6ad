package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxKind is a workflow start a committed change owes Temporal.
type OutboxKind string

const (
	OutboxCaseStart       OutboxKind = "case.start"            // a new or reopened case's Case workflow
	OutboxRejectionNotice OutboxKind = "case.rejection_notice" // a rejected dispute's email to the customer
	OutboxReplyPause      OutboxKind = "reply.pause"           // the pause of an account its customer answered (Ref: the email)
	OutboxImportWake      OutboxKind = "import.wake"           // the wake-up of the accounts an import touched (Ref: the import; written by the importer)
	OutboxReportSchedule  OutboxKind = "report.schedule"       // a saved or deleted report's schedule (Ref: the report, Round: its version)
)

// Owed is one start still owed to Temporal: Ref is the case (the inbound
// email of a reply's pause), Round its reopening round (each round owes its
// own start and notice).
type Owed struct {
	ID        int64      `json:"id"`
	Kind      OutboxKind `json:"kind"`
	Ref       int64      `json:"ref"`
	Round     int        `json:"round"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
}

const (
	oweTemporal = `
INSERT INTO temporal_outbox (kind, ref, round) VALUES ($1, $2, $3)
ON CONFLICT (kind, ref, round) DO NOTHING`
	paidTemporal = `
UPDATE temporal_outbox SET done_at = now() WHERE kind = $1 AND ref = $2 AND round = $3 AND done_at IS NULL`
	// owedTemporal skips rows younger than the grace: the process that wrote
	// them is still trying its own start.
	owedTemporal = `
SELECT id, kind, ref, round, attempts, last_error FROM temporal_outbox
WHERE done_at IS NULL AND created_at < now() - make_interval(secs => $1)
ORDER BY created_at, id
LIMIT $2`
	failedTemporal = `UPDATE temporal_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`
)

// owe records inside tx a start the change owes Temporal; owing it twice is one debt.
func owe(ctx context.Context, tx pgx.Tx, kind OutboxKind, ref int64, round int) error {
	_, err := tx.Exec(ctx, oweTemporal, string(kind), ref, round)
	return err
}

// PaidTemporal marks a start done: Temporal took it (or it is no longer needed).
func (s *Store) PaidTemporal(ctx context.Context, kind OutboxKind, ref int64, round int) error {
	_, err := s.Pool.Exec(ctx, paidTemporal, string(kind), ref, round)
	return err
}

// OwedTemporal lists up to limit starts still owed that are older than grace, oldest first.
func (s *Store) OwedTemporal(ctx context.Context, grace time.Duration, limit int) ([]Owed, error) {
	rows, err := s.Pool.Query(ctx, owedTemporal, grace.Seconds(), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Owed])
}

// TemporalAttemptFailed records why an owed start failed; it stays owed.
func (s *Store) TemporalAttemptFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.Pool.Exec(ctx, failedTemporal, id, reason)
	return err
}
