package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// ContactWindow is when reminders may reach an entity's customers: between
// Start and End ("HH:MM", local time of the customer) on business days,
// or at any time when AnyTime is set.
type ContactWindow struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	AnyTime bool   `json:"any_time"`
}

// Entity is a selling company of the group, with its contact window.
type Entity struct {
	Code     string
	Name     string
	Country  string
	Currency string
	Timezone string
	Language string
	Window   ContactWindow
}

const windowColumns = `to_char(contact_window_start, 'HH24:MI'), to_char(contact_window_end, 'HH24:MI'), contact_any_time`

const (
	listEntities = `SELECT code, name, country, currency, timezone, language, ` + windowColumns + ` FROM entities ORDER BY code`
	getWindow    = `SELECT ` + windowColumns + ` FROM entities WHERE code = $1`
	lockWindow   = getWindow + ` FOR UPDATE`
	setWindow    = `
UPDATE entities SET contact_window_start = $2::time, contact_window_end = $3::time, contact_any_time = $4, updated_at = now()
WHERE code = $1 RETURNING ` + windowColumns
)

// Entities lists the entities by code.
func (s *Store) Entities(ctx context.Context) ([]Entity, error) {
	rows, err := s.Pool.Query(ctx, listEntities)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entity, error) {
		var e Entity
		err := r.Scan(&e.Code, &e.Name, &e.Country, &e.Currency, &e.Timezone, &e.Language, &e.Window.Start, &e.Window.End, &e.Window.AnyTime)
		return e, err
	})
}

// EntityContactWindow returns the contact window of the entity with this code.
func (s *Store) EntityContactWindow(ctx context.Context, code string) (ContactWindow, error) {
	return readEntity(ctx, s, code, getWindow, scanWindow)
}

// SetEntityContactWindow changes an entity's contact window and journals it.
// Start and End are "HH:MM"; Start must be before End unless AnyTime (the
// database refuses it otherwise; the API says which field is wrong first).
func (s *Store) SetEntityContactWindow(ctx context.Context, code string, w ContactWindow, actor string) (ContactWindow, error) {
	return updateEntity(ctx, s, code, "entity.contact_window", actor, scanWindow, lockWindow, setWindow, w.Start, w.End, w.AnyTime)
}

// readEntity reads some columns of the entity with this code (q takes the
// code as $1); an unknown code is domain CodeNotFound.
func readEntity[T any](ctx context.Context, s *Store, code, q string, scan func(pgx.Row) (T, error)) (T, error) {
	v, err := scan(s.Pool.QueryRow(ctx, q, code))
	if errors.Is(err, pgx.ErrNoRows) {
		return v, domain.Errorf(domain.CodeNotFound, "entity %q not found", code)
	}
	return v, err
}

// updateEntity changes some columns of the entity with this code in one
// transaction: lock reads them FOR UPDATE, set ($1 the code, then args)
// writes them RETURNING the same columns, and action is journaled on
// "entity/<code>" with both. An unknown code is domain CodeNotFound.
func updateEntity[T any](ctx context.Context, s *Store, code, action, actor string, scan func(pgx.Row) (T, error),
	lock, set string, args ...any) (T, error) {
	var out T
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scan(tx.QueryRow(ctx, lock, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "entity %q not found", code)
		} else if err != nil {
			return err
		}
		if out, err = scan(tx.QueryRow(ctx, set, append([]any{code}, args...)...)); err != nil {
			return err
		}
		b, _ := json.Marshal(before)
		a, _ := json.Marshal(out)
		return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: "entity/" + code, Before: b, After: a})
	})
	return out, err
}

func scanWindow(r pgx.Row) (ContactWindow, error) {
	var w ContactWindow
	err := r.Scan(&w.Start, &w.End, &w.AnyTime)
	return w, err
}
