package store_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/store"
	"recoup/store/storetest"
)

func TestAuditJournalIsAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	_, err := pool.Exec(ctx, `INSERT INTO audit_journal (actor, action, target) VALUES ('cli', 'import.invoices', 'import/1')`)
	require.NoError(t, err)
	for _, q := range []string{
		`UPDATE audit_journal SET actor = 'someone else'`,
		`DELETE FROM audit_journal`,
		`TRUNCATE audit_journal`,
	} {
		_, err := pool.Exec(ctx, q)
		require.ErrorContains(t, err, "audit_journal is append-only", q)
	}
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE actor = 'cli'`).Scan(&n))
	require.Equal(t, 1, n)
}

func TestEnsureDatabaseAndMigrateAreIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.NewURL(t)
	cfg, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	// A database that does not exist yet, next to the test's own: created once, then left alone.
	fresh := strings.Replace(url, "/"+cfg.Database+"?", "/"+cfg.Database+"_fresh?", 1)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), storetest.AdminURL())
		require.NoError(t, err)
		defer conn.Close(context.Background())
		_, err = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{cfg.Database + "_fresh"}.Sanitize()+" WITH (FORCE)")
		require.NoError(t, err)
	})
	require.NoError(t, store.EnsureDatabase(ctx, fresh))
	require.NoError(t, store.EnsureDatabase(ctx, fresh))

	st, err := store.Open(ctx, fresh)
	require.NoError(t, err)
	defer st.Close()
	log := slog.New(slog.DiscardHandler)
	require.NoError(t, store.Migrate(ctx, st.Pool, log))
	require.NoError(t, store.Migrate(ctx, st.Pool, log), "a second migrate is a no-op")
	counts, err := st.Counts(ctx)
	require.NoError(t, err)
	require.Zero(t, counts.Customers)
}

func TestOpenSaysHowToStartPostgres(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:1/recoup?sslmode=disable&connect_timeout=2")
	require.ErrorContains(t, err, "pg_ctlcluster --skip-systemctl-redirect 15 main start")
}

func TestOpenSaysHowToCreateAMissingDatabase(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:5432/recoup_no_such_db?sslmode=disable")
	require.ErrorContains(t, err, "recoup migrate --create-database")
}
