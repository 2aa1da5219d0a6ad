// Package importer loads the ERP feed (entities, users, customers, invoices,
// payments) from CSV or JSON into Postgres. A file is streamed: rows are
// checked one by one, copied into a temporary staging table in chunks, checked
// again against the database, then upserted by external id in one statement.
// Bad rows are rejected with their line and reason; every good row lands; the
// whole import is one transaction, so a failure keeps nothing of it.
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"recoup/metrics"
	"recoup/store"
)

// Rejection is one row that was not imported, and why.
type Rejection struct {
	Line       int64  `json:"line"`
	ExternalID string `json:"external_id,omitempty"`
	Field      string `json:"field,omitempty"`
	Reason     string `json:"reason"`
}

// Result counts what an import did. Rejections holds the first MaxRejections
// rejected rows in line order; all of them are kept in import_rejections.
type Result struct {
	ImportID            int64       `json:"import_id"`
	Kind                Kind        `json:"kind"`
	Inserted            int64       `json:"inserted"`
	Updated             int64       `json:"updated"`
	Unchanged           int64       `json:"unchanged"`
	Rejected            int64       `json:"rejected"`
	Rejections          []Rejection `json:"rejections"`
	RejectionsTruncated bool        `json:"rejections_truncated"`
}

// ChangesDunning says whether the import changed what dunning works from
// (invoices or payments), so the accounts it touched must be woken.
func (r Result) ChangesDunning() bool {
	return (r.Kind == Invoices || r.Kind == Payments) && r.Inserted+r.Updated > 0
}

// MaxRejections bounds the rejections returned in a Result.
const MaxRejections = 1000

// chunkRows is how many rows go in one COPY before the rejections gathered
// meanwhile are written out: it bounds memory, not the transaction.
const chunkRows = 20_000

// Importer runs imports against one database.
type Importer struct {
	pool *pgxpool.Pool
	// NewEntitySending is the sending mode (live, test, off) of entities an
	// import creates (RECOUP_NEW_ENTITY_SENDING); "" is live.
	NewEntitySending string
	// CheckFile checks the files a documents import brings (nil: such an
	// import rejects every row).
	CheckFile FileCheck
}

func New(pool *pgxpool.Pool) *Importer { return &Importer{pool: pool} }

func (im *Importer) newEntitySending() string {
	if im.NewEntitySending == "" {
		return "live"
	}
	return im.NewEntitySending
}

// Source says where a file came from and who sent it, for the imports table and the audit journal.
type Source struct {
	Name      string // file name or "api"
	Actor     string // user, token or "cli"
	RequestID string
}

// write writes the staged rows of an import: through the kind's own write
// when it has one, else its upsert statement.
func (im *Importer) write(ctx context.Context, tx pgx.Tx, sp *spec, res *Result) error {
	if sp.write != nil {
		var err error
		res.Inserted, res.Updated, err = sp.write(ctx, tx, res.ImportID)
		return err
	}
	var args []any
	if sp.upsertArg != nil {
		args = append(args, sp.upsertArg(im, res.ImportID))
	}
	return tx.QueryRow(ctx, sp.upsert, args...).Scan(&res.Inserted, &res.Updated)
}

// Import reads one file of the given kind and format. A *FileError means the
// file as a whole is unusable and nothing was imported.
func (im *Importer) Import(ctx context.Context, kind Kind, format Format, r io.Reader, src Source) (Result, error) {
	sp, ok := specs[kind]
	if !ok {
		return Result{}, fmt.Errorf("unknown kind %q", kind)
	}
	start := time.Now()
	recs, err := newRecordReader(format, r, sp.columns)
	if err != nil {
		metrics.ImportRefused(string(kind))
		return Result{}, err
	}
	res := Result{Kind: kind, Rejections: []Rejection{}}
	err = pgx.BeginFunc(ctx, im.pool, func(tx pgx.Tx) error {
		for _, q := range []string{tuneImportTx, sp.stageDDL} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("prepare import: %w", err)
			}
		}
		if err := tx.QueryRow(ctx, createImport, string(kind), src.Name).Scan(&res.ImportID); err != nil {
			return fmt.Errorf("record import: %w", err)
		}
		total, err := stage(ctx, tx, sp, recs, res.ImportID, im.CheckFile)
		if err != nil {
			return err
		}
		// Only now, with the file read: a slow upload must not hold up other imports.
		if _, err := tx.Exec(ctx, lockImports); err != nil {
			return err
		}
		for _, q := range sp.checks {
			if _, err := tx.Exec(ctx, q, res.ImportID); err != nil {
				return fmt.Errorf("check %s: %w", kind, err)
			}
		}
		if err := tx.QueryRow(ctx, countRejections, res.ImportID).Scan(&res.Rejected); err != nil {
			return err
		}
		if !sp.allOrNothing || res.Rejected == 0 {
			if err := im.write(ctx, tx, sp, &res); err != nil {
				return fmt.Errorf("write %s: %w", kind, err)
			}
		}
		res.Unchanged = total - res.Rejected - res.Inserted - res.Updated
		if sp.allOrNothing && res.Rejected > 0 {
			res.Unchanged = 0 // nothing was written: the good rows were not looked at
		}
		if err := readRejections(ctx, tx, &res); err != nil {
			return err
		}
		if res.ChangesDunning() {
			if _, err := tx.Exec(ctx, oweWake, res.ImportID); err != nil {
				return fmt.Errorf("owe the wake-up: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, finishImport, res.ImportID, res.Inserted, res.Updated, res.Unchanged, res.Rejected); err != nil {
			return err
		}
		return journal(ctx, tx, res, src)
	})
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			metrics.ImportRefused(string(kind))
		}
		return Result{}, err
	}
	// Best effort: the import is committed, and autovacuum refreshes the
	// statistics later anyway.
	_ = im.analyzeIfGrown(ctx, kind, res.Inserted)
	metrics.Import(string(kind), metrics.ImportRows{Inserted: res.Inserted, Updated: res.Updated,
		Unchanged: res.Unchanged, Rejected: res.Rejected}, time.Since(start))
	return res, nil
}

// analyzeTables are the tables whose planner statistics an import of the
// kind makes stale, each with its ANALYZE statement.
var analyzeTables = map[Kind]struct{ table, analyze string }{
	Customers: {"customers", `ANALYZE customers`},
	Invoices:  {"invoices", `ANALYZE invoices`},
	Payments:  {"payments", `ANALYZE payments`},
}

// analyzeMinRows and analyzeShare: an import that inserted at least
// analyzeMinRows rows and more than analyzeShare of what the table held at
// its last statistics refreshes them before it returns.
const (
	analyzeMinRows = 1000
	analyzeShare   = 0.2
)

// tableTuples is the row count the planner believes (-1: never analyzed).
const tableTuples = `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`

// analyzeIfGrown refreshes the planner's statistics of the kind's table when
// the import grew it by a large share. The scale run found why: after the
// first import of 1,000,000 invoices the planner still believed the table
// empty until autovacuum came round (minutes later on a busy server), and
// each account's evaluation read its open items through an index over every
// open invoice: 0.8 s instead of 0.1 ms, so the import's wake-up crawled.
// The caller wakes the accounts after this returns, on the fresh statistics.
func (im *Importer) analyzeIfGrown(ctx context.Context, kind Kind, inserted int64) error {
	t, ok := analyzeTables[kind]
	if !ok || inserted < analyzeMinRows {
		return nil
	}
	var tuples float64
	if err := im.pool.QueryRow(ctx, tableTuples, t.table).Scan(&tuples); err != nil {
		return fmt.Errorf("statistics of %s: %w", t.table, err)
	}
	if tuples >= 0 && float64(inserted) <= analyzeShare*tuples {
		return nil
	}
	if _, err := im.pool.Exec(ctx, t.analyze); err != nil {
		return fmt.Errorf("refresh the statistics of %s: %w", t.table, err)
	}
	return nil
}

// stage copies the good rows into the staging table and the bad ones into
// import_rejections, chunk by chunk. It returns how many rows the file had.
func stage(ctx context.Context, tx pgx.Tx, sp *spec, recs recordReader, importID int64, files FileCheck) (int64, error) {
	src := &chunkSource{recs: recs, spec: sp, files: files}
	var total int64
	for !src.eof {
		src.n = 0
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage"}, sp.stageCols, src); err != nil {
			var fe *FileError
			if errors.As(src.err, &fe) {
				return 0, fe
			}
			if src.err != nil { // reading the file failed (client gone, size limit)
				return 0, fmt.Errorf("read file: %w", src.err)
			}
			return 0, fmt.Errorf("stage rows: %w", err)
		}
		total += int64(src.n) + int64(len(src.rejected))
		if len(src.rejected) > 0 {
			rows := pgx.CopyFromSlice(len(src.rejected), func(i int) ([]any, error) {
				r := src.rejected[i]
				return []any{importID, r.Line, storable(r.ExternalID), storable(r.Field), storable(r.Reason)}, nil
			})
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rejections"},
				[]string{"import_id", "line", "external_id", "field", "reason"}, rows); err != nil {
				return 0, fmt.Errorf("record rejections: %w", err)
			}
			src.rejected = src.rejected[:0]
		}
	}
	return total, nil
}

// chunkSource feeds pgx's COPY with up to chunkRows good rows, setting the bad
// ones aside.
type chunkSource struct {
	recs     recordReader
	spec     *spec
	files    FileCheck
	n        int
	values   []any
	rejected []Rejection
	eof      bool
	err      error
}

func (c *chunkSource) Next() bool {
	for c.n < chunkRows && len(c.rejected) < chunkRows {
		rec, err := c.recs.next()
		if errors.Is(err, io.EOF) {
			c.eof = true
			return false
		}
		if err != nil {
			c.err, c.eof = err, true
			return false
		}
		if rec.bad != nil {
			c.rejected = append(c.rejected, *rec.bad)
			continue
		}
		values, bad := c.spec.parse(rec, c.files)
		if bad != nil {
			c.rejected = append(c.rejected, *bad)
			continue
		}
		c.values = values
		c.n++
		return true
	}
	return false
}

func (c *chunkSource) Values() ([]any, error) { return c.values, nil }
func (c *chunkSource) Err() error             { return c.err }

func readRejections(ctx context.Context, tx pgx.Tx, res *Result) error {
	rows, err := tx.Query(ctx, listRejections, res.ImportID, MaxRejections)
	if err != nil {
		return err
	}
	rej, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Rejection, error) {
		var x Rejection
		err := r.Scan(&x.Line, &x.ExternalID, &x.Field, &x.Reason)
		return x, err
	})
	if err != nil {
		return err
	}
	res.Rejections = rej
	res.RejectionsTruncated = res.Rejected > int64(len(rej))
	return nil
}

func journal(ctx context.Context, tx pgx.Tx, res Result, src Source) error {
	after, err := json.Marshal(map[string]any{
		"source": src.Name, "inserted": res.Inserted, "updated": res.Updated,
		"unchanged": res.Unchanged, "rejected": res.Rejected,
	})
	if err != nil {
		return err
	}
	actor := src.Actor
	if actor == "" {
		actor = "unknown"
	}
	return store.Journal(ctx, tx, store.Entry{Actor: actor, Action: "import." + string(res.Kind),
		Target: fmt.Sprintf("import/%d", res.ImportID), After: after, RequestID: src.RequestID})
}

// storable makes a rejection's text safe to keep: the bad value it quotes may
// hold what Postgres refuses in text (invalid UTF-8, NUL).
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
