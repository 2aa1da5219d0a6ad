package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
	w, err := scanWindow(s.Pool.QueryRow(ctx, getWindow, code))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, domain.Errorf(domain.CodeNotFound, "entity %q not found", code)
	}
	return w, err
}

// SetEntityContactWindow changes an entity's contact window and journals it.
// Start and End are "HH:MM"; Start must be before End unless AnyTime (the
// database refuses it otherwise; the API says which field is wrong first).
func (s *Store) SetEntityContactWindow(ctx context.Context, code string, w ContactWindow, actor string) (ContactWindow, error) {
	var out ContactWindow
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanWindow(tx.QueryRow(ctx, lockWindow, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "entity %q not found", code)
		} else if err != nil {
			return err
		}
		if out, err = scanWindow(tx.QueryRow(ctx, setWindow, code, w.Start, w.End, w.AnyTime)); err != nil {
			return err
		}
		b, _ := json.Marshal(before)
		a, _ := json.Marshal(out)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "entity.contact_window", Target: fmt.Sprintf("entity/%s", code), Before: b, After: a})
	})
	return out, err
}

func scanWindow(r pgx.Row) (ContactWindow, error) {
	var w ContactWindow
	err := r.Scan(&w.Start, &w.End, &w.AnyTime)
	return w, err
}
