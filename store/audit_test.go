package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/store"
	"recoup/store/storetest"
)

// tamper changes the journal the way only a superuser could: with the
// append-only trigger switched off.
func tamper(t *testing.T, st *store.Store, sqls []string) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), st.Pool, func(tx pgx.Tx) error {
		qs := append([]string{`ALTER TABLE audit_journal DISABLE TRIGGER audit_journal_append_only`}, sqls...)
		for _, q := range append(qs, `ALTER TABLE audit_journal ENABLE TRIGGER audit_journal_append_only`) {
			if _, err := tx.Exec(context.Background(), q); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
}

func TestJournalHashChainNamesTheFirstBrokenRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name    string
		tamper  []string
		brokeAt int64
		why     string
	}{
		{"intact", nil, 0, ""},
		{"a row changed", []string{`UPDATE audit_journal SET actor = 'mallory' WHERE seq = 2`}, 2, "was changed"},
		{"a row removed", []string{`DELETE FROM audit_journal WHERE seq = 2`}, 3, "missing"},
		{"a row rehashed to hide a change", []string{`UPDATE audit_journal SET actor = 'mallory' WHERE seq = 2`,
			`UPDATE audit_journal j SET hash = audit_journal_digest(prev_hash, j) WHERE seq = 2`}, 3, "does not link"},
	}
	for _, tt := range tests {
		st := &store.Store{Pool: storetest.NewPool(t)}
		for _, action := range []string{"import.users", "scenario.create", "task.close", "customer.reassign"} {
			err := pgx.BeginFunc(ctx, st.Pool, func(tx pgx.Tx) error {
				return store.Journal(ctx, tx, store.Entry{Actor: "alice", Action: action, Target: "customer/1", After: []byte(`{"n": 1}`)})
			})
			require.NoError(t, err)
		}
		if tt.tamper != nil {
			tamper(t, st, tt.tamper)
		}
		check, err := st.VerifyJournal(ctx)
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.brokeAt, check.BrokenAt, tt.name)
		require.Contains(t, check.BrokenWhy, tt.why, tt.name)
		require.NotEmpty(t, check.LastHash, tt.name)
	}
}
