package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
)

// Holiday is one date added to the built-in calendars.
type Holiday struct {
	Date dunning.Date `json:"date"`
	Name string       `json:"name"`
}

const (
	entityID        = `SELECT id FROM entities WHERE code = $1`
	entityIDLocked  = `SELECT id FROM entities WHERE code = $1 FOR UPDATE`
	entityHolidays  = `SELECT date, name FROM holidays WHERE entity_id = $1 ORDER BY date`
	deleteHolidays  = `DELETE FROM holidays WHERE entity_id = $1`
	insertHolidays  = `INSERT INTO holidays (entity_id, date, name) SELECT $1, unnest($2::date[]), unnest($3::text[])`
	countryHolidays = `SELECT date, name FROM holidays WHERE country = $1 ORDER BY date`
)

func collectHolidays(rows pgx.Rows) ([]Holiday, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Holiday, error) {
		var h Holiday
		var d time.Time
		err := r.Scan(&d, &h.Name)
		h.Date = dunning.DateOf(d)
		return h, err
	})
}

// EntityHolidays lists the dates loaded for an entity (its customers', whatever their country).
func (s *Store) EntityHolidays(ctx context.Context, code string) ([]Holiday, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, entityID, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "entity %q not found", code)
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.Pool.Query(ctx, entityHolidays, id)
	if err != nil {
		return nil, err
	}
	return collectHolidays(rows)
}

// CountryHolidays lists the dates loaded for a country (ISO code).
func (s *Store) CountryHolidays(ctx context.Context, country string) ([]Holiday, error) {
	rows, err := s.Pool.Query(ctx, countryHolidays, country)
	if err != nil {
		return nil, err
	}
	return collectHolidays(rows)
}

// ReplaceEntityHolidays replaces an entity's dates with list (dates unique:
// the caller validates) and journals "entity.holidays" with both lists.
func (s *Store) ReplaceEntityHolidays(ctx context.Context, code string, list []Holiday, actor string) ([]Holiday, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, entityIDLocked, code).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "entity %q not found", code)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, entityHolidays, id)
		if err != nil {
			return err
		}
		before, err := collectHolidays(rows)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteHolidays, id); err != nil {
			return err
		}
		dates := make([]time.Time, len(list))
		names := make([]string, len(list))
		for i, h := range list {
			dates[i], names[i] = h.Date.In(time.UTC), h.Name
		}
		if _, err := tx.Exec(ctx, insertHolidays, id, dates, names); err != nil {
			return err
		}
		b, err := json.Marshal(nonNil(before))
		if err != nil {
			return err
		}
		a, err := json.Marshal(nonNil(list))
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "entity.holidays", Target: "entity/" + code, Before: b, After: a})
	})
	if err != nil {
		return nil, err
	}
	return nonNil(list), nil
}

// nonNil answers an empty list for nil (JSON [] and SQL '{}', not null).
func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
