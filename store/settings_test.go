package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

func TestEntityContactWindow(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	rows := storetest.NewFactory(st.Pool)
	rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	rows.Entity(t, storetest.Entity{Code: "DE01", Name: "Recoup Deutschland", Country: "DE", TimeZone: "Europe/Berlin", Language: "de"})

	list, err := st.Entities(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"DE01", "FR01"}, []string{list[0].Code, list[1].Code})
	require.Equal(t, store.ContactWindow{Start: "09:00", End: "18:00"}, list[1].Window)

	w, err := st.SetEntityContactWindow(ctx, "FR01", store.ContactWindow{Start: "08:15", End: "20:00"}, "alice")
	require.NoError(t, err)
	require.Equal(t, store.ContactWindow{Start: "08:15", End: "20:00"}, w)
	got, err := st.EntityContactWindow(ctx, "FR01")
	require.NoError(t, err)
	require.Equal(t, w, got)

	_, err = st.SetEntityContactWindow(ctx, "FR01", store.ContactWindow{Start: "20:00", End: "08:00"}, "alice")
	require.Error(t, err, "the database refuses an inverted window")
	_, err = st.SetEntityContactWindow(ctx, "FR01", store.ContactWindow{Start: "20:00", End: "08:00", AnyTime: true}, "alice")
	require.NoError(t, err)
	_, err = st.SetEntityContactWindow(ctx, "XX01", w, "alice")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, err = st.EntityContactWindow(ctx, "XX01")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))

	var journaled int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE target = 'entity/FR01' AND action = 'entity.contact_window'`).Scan(&journaled))
	require.Equal(t, 2, journaled)
}
