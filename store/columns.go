package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Column is a user-defined column of the accounts list (migration 00032):
// a formula over the per-account figures, its type inferred when it was
// checked (app.SaveColumn).
type Column struct {
	ID         int64     `json:"id"`
	EntityID   *int64    `json:"-"`      // nil: every account
	EntityCode string    `json:"entity"` // "" when EntityID is nil
	Name       string    `json:"name"`
	Label      string    `json:"label"`
	Formula    string    `json:"formula"`
	Type       string    `json:"type"` // number, bool or text
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

const (
	columnFields = `k.id, k.entity_id, coalesce(e.code, ''), k.name, k.label, k.formula, k.type, k.created_by, k.created_at, k.updated_at`
	listColumns  = `SELECT ` + columnFields + ` FROM account_columns k LEFT JOIN entities e ON e.id = k.entity_id ORDER BY k.name`
	getColumn    = `SELECT ` + columnFields + ` FROM account_columns k LEFT JOIN entities e ON e.id = k.entity_id WHERE k.id = $1`
	lockColumn   = getColumn + ` FOR UPDATE OF k`
	insertColumn = `
INSERT INTO account_columns (entity_id, name, label, formula, type, created_by)
VALUES ((SELECT id FROM entities WHERE code = nullif(@entity::text, '')), @name, @label, @formula, @type, @by)
RETURNING id`
	updateColumn = `
UPDATE account_columns SET entity_id = (SELECT id FROM entities WHERE code = nullif(@entity::text, '')),
    name = @name, label = @label, formula = @formula, type = @type, updated_at = now()
WHERE id = @id`
	deleteColumn = `DELETE FROM account_columns WHERE id = $1`
)

func scanColumn(r pgx.Row) (Column, error) {
	var k Column
	err := r.Scan(&k.ID, &k.EntityID, &k.EntityCode, &k.Name, &k.Label, &k.Formula, &k.Type, &k.CreatedBy, &k.CreatedAt, &k.UpdatedAt)
	return k, err
}

// Columns lists every user-defined column, by name.
func (s *Store) Columns(ctx context.Context) ([]Column, error) {
	rows, err := s.Pool.Query(ctx, listColumns)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Column, error) { return scanColumn(r) })
}

// GetColumn is one column; domain CodeNotFound when there is none.
func (s *Store) GetColumn(ctx context.Context, id int64) (Column, error) {
	k, err := scanColumn(s.Pool.QueryRow(ctx, getColumn, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return k, columnNotFound(id)
	}
	return k, err
}

func columnNotFound(id int64) error {
	return domain.Errorf(domain.CodeNotFound, "column %d not found", id)
}

// SaveColumn creates k (ID 0) or replaces column k.ID, and journals it; the
// name is unique (domain FieldError on name) and the entity must exist
// within per's entities.
func (s *Store) SaveColumn(ctx context.Context, per Perimeter, k Column, actor string) (Column, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if k.EntityCode != "" {
			var id int64
			err := tx.QueryRow(ctx, entityID, k.EntityCode).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && !per.All && per.Entities != nil && !slices.Contains(per.Entities, id)) {
				return domain.FieldError("entity", "no entity %s", k.EntityCode)
			} else if err != nil {
				return err
			}
		}
		args := pgx.NamedArgs{"entity": k.EntityCode, "name": k.Name, "label": k.Label, "formula": k.Formula, "type": k.Type, "by": actor, "id": k.ID}
		var before []byte
		action := "column.create"
		if k.ID == 0 {
			if err := tx.QueryRow(ctx, insertColumn, args).Scan(&k.ID); err != nil {
				return columnWriteError(err, k)
			}
		} else {
			old, err := scanColumn(tx.QueryRow(ctx, lockColumn, k.ID))
			if errors.Is(err, pgx.ErrNoRows) {
				return columnNotFound(k.ID)
			} else if err != nil {
				return err
			}
			before, _ = json.Marshal(old)
			action = "column.update"
			if _, err := tx.Exec(ctx, updateColumn, args); err != nil {
				return columnWriteError(err, k)
			}
		}
		saved, err := scanColumn(tx.QueryRow(ctx, getColumn, k.ID))
		if err != nil {
			return err
		}
		k = saved
		after, _ := json.Marshal(k)
		return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: columnTarget(k.ID), Before: before, After: after})
	})
	return k, err
}

func columnWriteError(err error, k Column) error {
	if isUniqueViolation(err) {
		return domain.FieldError("name", "a column named %s exists already", k.Name)
	}
	return err
}

// DeleteColumn removes column id and journals what it was.
func (s *Store) DeleteColumn(ctx context.Context, id int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		old, err := scanColumn(tx.QueryRow(ctx, lockColumn, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return columnNotFound(id)
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteColumn, id); err != nil {
			return err
		}
		before, _ := json.Marshal(old)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "column.delete", Target: columnTarget(id), Before: before})
	})
}

func columnTarget(id int64) string { return fmt.Sprintf("column/%d", id) }
