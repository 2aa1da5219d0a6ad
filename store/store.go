// Package store is Recoup's Postgres: the pool, the embedded migrations and
// every query: the API's reads and writes (customers, scenarios, rules,
// templates, tasks, users, settings), the account snapshots the Dunning
// workflow plans from, the message log that sends each reminder once, and the
// audit journal. Rows become Go types here, at one boundary: domain types
// where one exists, else the store's own (TaskView, MessageContext...).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// StartHint tells a newcomer how to bring up the machine's Postgres.
const StartHint = "is Postgres running? start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start"

// Store holds the connection pool.
type Store struct {
	Pool *pgxpool.Pool
}

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		hint := StartHint
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // the server answers; the database is missing
			hint = "create it with: recoup migrate --create-database (recoup dev creates it by itself)"
		}
		return nil, fmt.Errorf("connect to %s: %w (%s)", redact(cfg.ConnConfig), err, hint)
	}
	return &Store{Pool: pool}, nil
}

func (s *Store) Close() { s.Pool.Close() }

// EnsureDatabase creates the database named in url when it does not exist yet,
// connecting to the server's "postgres" database to do so. It lets `recoup dev`
// start on a machine where only the Postgres server is there.
func EnsureDatabase(ctx context.Context, url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := cfg.Database
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect to %s: %w (%s)", redact(admin), err, StartHint)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	// Identifiers cannot be bound parameters; Sanitize quotes the name.
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	return err
}

// Migrate brings the schema to the latest embedded migration.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return migrateDB(ctx, db, log)
}

func migrateDB(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	p, err := newProvider(db)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// One line at info for the lot (a first start applies dozens), each at debug.
	var took time.Duration
	for _, r := range results {
		log.Debug("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
		took += r.Duration
	}
	if len(results) > 0 {
		log.Info("schema migrated", "migrations", len(results), "to_version", results[len(results)-1].Source.Version, "took", took)
	}
	return nil
}

func newProvider(db *sql.DB) (*goose.Provider, error) {
	files, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	// api and worker processes may start together: the session lock lets one migrate at a time.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, files,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
}

// MigrationsFS exposes the migrations, so tests can key a template database on their content.
func MigrationsFS() embed.FS { return migrations }

func redact(c *pgx.ConnConfig) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}
