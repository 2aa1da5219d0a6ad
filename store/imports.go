package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// ImportRun is one import as the imports table and the journal record it:
// what kind of file, from where, when, by whom, and what it did.
type ImportRun struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Source     string     `json:"source"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Inserted   int64      `json:"inserted"`
	Updated    int64      `json:"updated"`
	Unchanged  int64      `json:"unchanged"`
	Rejected   int64      `json:"rejected"`
	Actor      string     `json:"actor"`    // who sent it, from the journal; "" for rows loaded without one
	Accounts   int64      `json:"accounts"` // accounts the import touched (invoices and payments)
}

// ImportRejection is one rejected row of an import.
type ImportRejection struct {
	Line       int64  `json:"line"`
	ExternalID string `json:"external_id,omitempty"`
	Field      string `json:"field,omitempty"`
	Reason     string `json:"reason"`
}

// The actor is the journal's: the importer writes "import.<kind>" on target
// "import/<id>" in the import's own transaction.
const importColumns = `i.id, i.kind, i.source, i.started_at, i.finished_at, i.inserted, i.updated, i.unchanged, i.rejected,
       coalesce((SELECT j.actor FROM audit_journal j WHERE j.target = 'import/' || i.id ORDER BY j.at LIMIT 1), ''),
       (SELECT count(*) FROM import_accounts ia WHERE ia.import_id = i.id)`

const listImports = `
SELECT ` + importColumns + `, count(*) OVER ()
FROM imports i
WHERE (@kind::text = '' OR i.kind = @kind)
ORDER BY i.id DESC
LIMIT @limit OFFSET @offset`

const getImport = `SELECT ` + importColumns + ` FROM imports i WHERE i.id = $1`

const listImportRejections = `
SELECT line, external_id, field, reason FROM import_rejections WHERE import_id = $1
ORDER BY line, field
LIMIT $2`

func scanImport(r pgx.Row, more ...any) (ImportRun, error) {
	var i ImportRun
	err := r.Scan(append([]any{&i.ID, &i.Kind, &i.Source, &i.StartedAt, &i.FinishedAt, &i.Inserted, &i.Updated,
		&i.Unchanged, &i.Rejected, &i.Actor, &i.Accounts}, more...)...)
	return i, err
}

// ListImports returns one page of the imports, newest first, optionally of
// one kind, and how many match in all.
func (s *Store) ListImports(ctx context.Context, kind string, page domain.Page) ([]ImportRun, int64, error) {
	rows, err := s.Pool.Query(ctx, listImports, pgx.NamedArgs{"kind": kind, "limit": page.Limit, "offset": page.Offset})
	if err != nil {
		return nil, 0, err
	}
	var total int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ImportRun, error) { return scanImport(r, &total) })
	return list, total, err
}

// Import returns one import; domain CodeNotFound when there is none.
func (s *Store) Import(ctx context.Context, id int64) (ImportRun, error) {
	run, err := scanImport(s.Pool.QueryRow(ctx, getImport, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return run, domain.Errorf(domain.CodeNotFound, "import %d not found", id)
	}
	return run, err
}

// ImportRejections returns the first limit rejected rows of an import, in line order.
func (s *Store) ImportRejections(ctx context.Context, id int64, limit int) ([]ImportRejection, error) {
	var out []ImportRejection
	err := s.EachImportRejection(ctx, id, limit, func(r ImportRejection) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// EachImportRejection calls fn with each rejected row of an import in line
// order (at most limit; 0: all), one row at a time: an export of a large
// import never holds them all.
func (s *Store) EachImportRejection(ctx context.Context, id int64, limit int, fn func(ImportRejection) error) error {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := s.Pool.Query(ctx, listImportRejections, id, lim)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r ImportRejection
	_, err = pgx.ForEachRow(rows, []any{&r.Line, &r.ExternalID, &r.Field, &r.Reason}, func() error { return fn(r) })
	if err != nil {
		return fmt.Errorf("rejections of import %d: %w", id, err)
	}
	return nil
}
