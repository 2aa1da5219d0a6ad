package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"recoup/domain"
)

// RiskProvider is a source of risk signals: the adapter that reads its
// webhook's bodies and the secret its signatures are made with.
type RiskProvider struct {
	Name      string    `json:"name"`
	Adapter   string    `json:"adapter"`
	Secret    string    `json:"-"` // shown once, when made
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const (
	riskProviderColumns = `name, adapter, secret, active, created_at, updated_at`
	insertRiskProvider  = `
INSERT INTO risk_providers (name, adapter, secret, active) VALUES (@name, @adapter, @secret, @active)
ON CONFLICT (name) DO NOTHING
RETURNING ` + riskProviderColumns
	updateRiskProvider = `
UPDATE risk_providers SET adapter = @adapter, active = @active, secret = coalesce(@secret, secret), updated_at = now()
WHERE name = @name
RETURNING ` + riskProviderColumns
	selectRiskProvider  = `SELECT ` + riskProviderColumns + ` FROM risk_providers WHERE name = @name`
	selectRiskProviders = `SELECT ` + riskProviderColumns + ` FROM risk_providers ORDER BY name`
	deleteRiskProvider  = `DELETE FROM risk_providers WHERE name = @name`
)

func scanRiskProvider(r pgx.Row) (RiskProvider, error) {
	var p RiskProvider
	err := r.Scan(&p.Name, &p.Adapter, &p.Secret, &p.Active, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

func riskProviderNotFound(name string) error {
	return domain.Errorf(domain.CodeNotFound, "risk provider %q not found", name)
}

// providerJournal is what the journal keeps of a provider: never its secret.
func providerJournal(p RiskProvider, rotated bool) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"adapter": p.Adapter, "active": p.Active, "secret_rotated": rotated})
	return b
}

// CreateRiskProvider records a new provider; a name taken is CodeConflict.
func (s *Store) CreateRiskProvider(ctx context.Context, p RiskProvider, actor string) (RiskProvider, error) {
	var out RiskProvider
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		out, err = scanRiskProvider(tx.QueryRow(ctx, insertRiskProvider, pgx.NamedArgs{
			"name": p.Name, "adapter": p.Adapter, "secret": p.Secret, "active": p.Active}))
		var pgErr *pgconn.PgError
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return domain.Errorf(domain.CodeConflict, "risk provider %q exists already", p.Name)
		case errors.As(err, &pgErr) && pgErr.Code == "23514": // the name's pattern, which the use case checks first
			return domain.FieldError("name", "%q: lower-case letters, digits, '-' and '_', at most 40", p.Name)
		case err != nil:
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "risk_provider.create", Target: "risk_provider/" + p.Name,
			After: providerJournal(out, true)})
	})
	return out, err
}

// UpdateRiskProvider changes a provider's adapter and state, and its secret
// when secret is not nil (a rotation: the old one stops working at once).
func (s *Store) UpdateRiskProvider(ctx context.Context, name, adapter string, active bool, secret *string, actor string) (RiskProvider, error) {
	var out RiskProvider
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanRiskProvider(tx.QueryRow(ctx, selectRiskProvider+` FOR UPDATE`, pgx.NamedArgs{"name": name}))
		if errors.Is(err, pgx.ErrNoRows) {
			return riskProviderNotFound(name)
		}
		if err != nil {
			return err
		}
		if out, err = scanRiskProvider(tx.QueryRow(ctx, updateRiskProvider, pgx.NamedArgs{
			"name": name, "adapter": adapter, "active": active, "secret": secret})); err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "risk_provider.update", Target: "risk_provider/" + name,
			Before: providerJournal(before, false), After: providerJournal(out, secret != nil)})
	})
	return out, err
}

// RiskProviderByName is one provider, secret included (the webhook checks
// signatures with it); CodeNotFound if there is none.
func (s *Store) RiskProviderByName(ctx context.Context, name string) (RiskProvider, error) {
	p, err := scanRiskProvider(s.Pool.QueryRow(ctx, selectRiskProvider, pgx.NamedArgs{"name": name}))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, riskProviderNotFound(name)
	}
	return p, err
}

// RiskProviders lists the providers by name.
func (s *Store) RiskProviders(ctx context.Context) ([]RiskProvider, error) {
	rows, err := s.Pool.Query(ctx, selectRiskProviders)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RiskProvider, error) { return scanRiskProvider(r) })
}

// DeleteRiskProvider removes a provider: its webhook stops answering; the
// signals it sent stay, they are the customers' history.
func (s *Store) DeleteRiskProvider(ctx context.Context, name, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, deleteRiskProvider, pgx.NamedArgs{"name": name})
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return riskProviderNotFound(name)
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "risk_provider.delete", Target: "risk_provider/" + name})
	})
}
