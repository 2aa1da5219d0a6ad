package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/templates"
)

// TemplateOverride is a template a credit manager saved: it replaces the
// shipped default with the same name, channel and language, or adds one.
type TemplateOverride struct {
	templates.Template
	UpdatedAt time.Time
	UpdatedBy string
}

const templateColumns = `name, channel, language, subject, body_text, body_html, updated_at, updated_by`

const (
	listTemplateOverrides = `SELECT ` + templateColumns + ` FROM message_templates ORDER BY name, channel, language`
	getTemplateOverride   = `SELECT ` + templateColumns + ` FROM message_templates WHERE name = $1 AND channel = $2 AND language = $3`
	lockTemplateOverride  = getTemplateOverride + ` FOR UPDATE`
	upsertTemplate        = `
INSERT INTO message_templates (name, channel, language, subject, body_text, body_html, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (name, channel, language) DO UPDATE
SET subject = EXCLUDED.subject, body_text = EXCLUDED.body_text, body_html = EXCLUDED.body_html,
    updated_at = now(), updated_by = EXCLUDED.updated_by
RETURNING ` + templateColumns
	deleteTemplateOverride = `DELETE FROM message_templates WHERE name = $1 AND channel = $2 AND language = $3`
)

// TemplateOverrides returns the saved templates, to lay over the defaults:
// templates.NewSet(append(templates.Defaults(), overrides...)...).
func (s *Store) TemplateOverrides(ctx context.Context) ([]templates.Template, error) {
	list, err := s.TemplateOverrideList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]templates.Template, len(list))
	for i, o := range list {
		out[i] = o.Template
	}
	return out, nil
}

// TemplateOverrideList is TemplateOverrides with who saved each and when.
func (s *Store) TemplateOverrideList(ctx context.Context) ([]TemplateOverride, error) {
	rows, err := s.Pool.Query(ctx, listTemplateOverrides)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TemplateOverride, error) { return scanTemplate(r) })
}

// TemplateOverride returns one saved template; not found when there is none.
func (s *Store) TemplateOverride(ctx context.Context, name string, ch domain.Channel, lang string) (TemplateOverride, error) {
	o, err := scanTemplate(s.Pool.QueryRow(ctx, getTemplateOverride, name, ch, lang))
	if errors.Is(err, pgx.ErrNoRows) {
		return o, domain.Errorf(domain.CodeNotFound, "no custom template %s", templateTarget(name, ch, lang))
	}
	return o, err
}

// PutTemplate saves t, replacing a saved template with the same name, channel
// and language, and journals the change. t must be valid (the API checks it
// with Validate first, to answer which part and line is wrong); it is checked
// again here so nothing that fails to render is ever stored.
func (s *Store) PutTemplate(ctx context.Context, t templates.Template, actor string) (TemplateOverride, error) {
	var out TemplateOverride
	if err := t.Validate(); err != nil {
		return out, err
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var before json.RawMessage
		old, err := scanTemplate(tx.QueryRow(ctx, lockTemplateOverride, t.Name, t.Channel, t.Language))
		switch {
		case err == nil:
			before, _ = json.Marshal(old.Template)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if out, err = scanTemplate(tx.QueryRow(ctx, upsertTemplate, t.Name, t.Channel, t.Language, t.Subject, t.Text, t.HTML, actor)); err != nil {
			return err
		}
		after, _ := json.Marshal(out.Template)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "template.put", Target: templateTarget(t.Name, t.Channel, t.Language), Before: before, After: after})
	})
	return out, err
}

// DeleteTemplate removes a saved template, so the shipped default (if any)
// applies again; not found when none is saved.
func (s *Store) DeleteTemplate(ctx context.Context, name string, ch domain.Channel, lang, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		old, err := scanTemplate(tx.QueryRow(ctx, lockTemplateOverride, name, ch, lang))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "no custom template %s", templateTarget(name, ch, lang))
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteTemplateOverride, name, ch, lang); err != nil {
			return err
		}
		before, _ := json.Marshal(old.Template)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "template.delete", Target: templateTarget(name, ch, lang), Before: before})
	})
}

func scanTemplate(r pgx.Row) (TemplateOverride, error) {
	var o TemplateOverride
	var ch string
	err := r.Scan(&o.Name, &ch, &o.Language, &o.Subject, &o.Text, &o.HTML, &o.UpdatedAt, &o.UpdatedBy)
	o.Channel = domain.Channel(ch)
	return o, err
}

func templateTarget(name string, ch domain.Channel, lang string) string {
	return fmt.Sprintf("template/%s/%s/%s", name, ch, lang)
}
