package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"recoup/domain"
)

// ScenarioVersion is one version of a scenario. Steps are stored as the API
// wrote them (JSON); the dunning package gives them meaning and validates them
// before they reach the store.
type ScenarioVersion struct {
	ScenarioID     int64
	Name           string
	IsDefault      bool
	Version        int
	CurrentVersion int
	Archived       bool
	Steps          json.RawMessage
	Settings       json.RawMessage // dunning.Settings; {} when none
	CreatedAt      time.Time
	CreatedBy      string
}

const scenarioColumns = `s.id, s.name, s.is_default, v.version, s.current_version, s.archived_at IS NOT NULL, v.steps, v.settings, v.created_at, v.created_by`

const (
	insertScenario        = `INSERT INTO scenarios (name, is_default) VALUES ($1, $2) RETURNING id`
	insertScenarioVersion = `INSERT INTO scenario_versions (scenario_id, version, steps, settings, created_by) VALUES ($1, $2, $3, $5, $4)`
	bumpScenario          = `
UPDATE scenarios SET current_version = current_version + 1, name = coalesce($2, name), updated_at = now()
WHERE id = $1 AND archived_at IS NULL RETURNING current_version`
	getScenarioVersion = `
SELECT ` + scenarioColumns + ` FROM scenarios s
JOIN scenario_versions v ON v.scenario_id = s.id AND v.version = CASE WHEN $2 = 0 THEN s.current_version ELSE $2 END
WHERE s.id = $1`
	listCurrentScenarios = `
SELECT ` + scenarioColumns + ` FROM scenarios s
JOIN scenario_versions v ON v.scenario_id = s.id AND v.version = s.current_version
WHERE $1 OR s.archived_at IS NULL
ORDER BY s.name`
	listScenarioVersions = `
SELECT ` + scenarioColumns + ` FROM scenarios s
JOIN scenario_versions v ON v.scenario_id = s.id
WHERE s.id = $1 ORDER BY v.version`
	scenarioInUse = `
SELECT (SELECT count(*) FROM assignment_rules WHERE scenario_id = $1) + (SELECT count(*) FROM customers WHERE scenario_id = $1)`
	archiveScenario  = `UPDATE scenarios SET archived_at = now(), updated_at = now() WHERE id = $1 AND archived_at IS NULL AND NOT is_default`
	findDefaultScene = `SELECT id FROM scenarios WHERE is_default`
)

// nameTaken turns a unique-name violation into a conflict the caller can act on.
func nameTaken(err error, name string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return domain.Errorf(domain.CodeConflict, "a scenario named %q already exists", name)
	}
	return err
}

// CreateScenario adds a scenario with its first version.
// settings (dunning.Settings as JSON) may be nil: none.
func (s *Store) CreateScenario(ctx context.Context, name string, steps json.RawMessage, isDefault bool, actor string, settings json.RawMessage) (ScenarioVersion, error) {
	var out ScenarioVersion
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, insertScenario, name, isDefault).Scan(&id); err != nil {
			return nameTaken(err, name)
		}
		if _, err := tx.Exec(ctx, insertScenarioVersion, id, 1, steps, actor, orEmpty(settings)); err != nil {
			return err
		}
		var err error
		if out, err = scenarioVersion(ctx, tx, id, 0); err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "scenario.create", Target: scenarioTarget(id), After: out.Steps})
	})
	return out, err
}

// UpdateScenario records a new version (and optionally a new name); running
// accounts pick it up at their next evaluation.
// settings may be nil: none.
func (s *Store) UpdateScenario(ctx context.Context, id int64, name *string, steps json.RawMessage, actor string, settings json.RawMessage) (ScenarioVersion, error) {
	var out ScenarioVersion
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scenarioVersion(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, bumpScenario, id, name).Scan(&version); errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeConflict, "scenario %d is archived: it cannot change", id)
		} else if err != nil {
			return nameTaken(err, *name)
		}
		if _, err := tx.Exec(ctx, insertScenarioVersion, id, version, steps, actor, orEmpty(settings)); err != nil {
			return err
		}
		if out, err = scenarioVersion(ctx, tx, id, 0); err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "scenario.update", Target: scenarioTarget(id), Before: before.Steps, After: out.Steps})
	})
	return out, err
}

// Scenario returns one version of a scenario, its current one for version 0.
func (s *Store) Scenario(ctx context.Context, id int64, version int) (ScenarioVersion, error) {
	return scenarioVersion(ctx, s.Pool, id, version)
}

// Scenarios lists the current version of every scenario, archived ones too when asked.
func (s *Store) Scenarios(ctx context.Context, withArchived bool) ([]ScenarioVersion, error) {
	rows, err := s.Pool.Query(ctx, listCurrentScenarios, withArchived)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, collectScenario)
}

// ScenarioVersions lists every version of one scenario, oldest first.
func (s *Store) ScenarioVersions(ctx context.Context, id int64) ([]ScenarioVersion, error) {
	rows, err := s.Pool.Query(ctx, listScenarioVersions, id)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, collectScenario)
	if err == nil && len(list) == 0 {
		return nil, domain.Errorf(domain.CodeNotFound, "scenario %d not found", id)
	}
	return list, err
}

// ArchiveScenario retires a scenario that no rule or customer uses; its versions stay readable.
func (s *Store) ArchiveScenario(ctx context.Context, id int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		sc, err := scenarioVersion(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		if sc.IsDefault {
			return domain.Errorf(domain.CodeConflict, "scenario %d is the default scenario: make another one the default first", id)
		}
		var uses int64
		if err := tx.QueryRow(ctx, scenarioInUse, id).Scan(&uses); err != nil {
			return err
		}
		if uses > 0 {
			return domain.Errorf(domain.CodeConflict, "scenario %d is used by %d assignment rules or pinned customers", id, uses)
		}
		tag, err := tx.Exec(ctx, archiveScenario, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeConflict, "scenario %d is already archived", id)
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "scenario.archive", Target: scenarioTarget(id)})
	})
}

// EnsureDefaultScenario creates the default scenario with these steps when
// there is none, so dunning works right after the first import.
func (s *Store) EnsureDefaultScenario(ctx context.Context, name string, steps json.RawMessage) (int64, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, findDefaultScene).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	sc, err := s.CreateScenario(ctx, name, steps, true, "system", nil)
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeConflict { // created meanwhile by another process
		err = s.Pool.QueryRow(ctx, findDefaultScene).Scan(&id)
		return id, err
	}
	return sc.ScenarioID, err
}

// orEmpty is settings, or the empty object when there are none.
func orEmpty(settings json.RawMessage) json.RawMessage {
	if len(settings) == 0 || string(settings) == "null" {
		return json.RawMessage(`{}`)
	}
	return settings
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func scenarioVersion(ctx context.Context, q querier, id int64, version int) (ScenarioVersion, error) {
	sc, err := scanScenario(q.QueryRow(ctx, getScenarioVersion, id, version))
	if errors.Is(err, pgx.ErrNoRows) {
		if version > 0 {
			return sc, domain.Errorf(domain.CodeNotFound, "scenario %d has no version %d", id, version)
		}
		return sc, domain.Errorf(domain.CodeNotFound, "scenario %d not found", id)
	}
	return sc, err
}

func scanScenario(r pgx.Row) (ScenarioVersion, error) {
	var v ScenarioVersion
	err := r.Scan(&v.ScenarioID, &v.Name, &v.IsDefault, &v.Version, &v.CurrentVersion, &v.Archived, &v.Steps, &v.Settings, &v.CreatedAt, &v.CreatedBy)
	return v, err
}

func collectScenario(r pgx.CollectableRow) (ScenarioVersion, error) { return scanScenario(r) }

func scenarioTarget(id int64) string { return fmt.Sprintf("scenario/%d", id) }
