package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

func setupScenarios(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	return &store.Store{Pool: storetest.NewPool(t)}, context.Background()
}

func TestScenarioEditsAddVersionsAndKeepOldOnes(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	v1 := json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`)
	v2 := json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}, {"offset_days": 7, "channel": "sms", "template": "reminder_1"}]`)

	sc, err := st.CreateScenario(ctx, "Retail FR", v1, false, "alice@recoup.example", nil)
	require.NoError(t, err)
	require.Equal(t, 1, sc.Version)
	newName := "Retail France"
	up, err := st.UpdateScenario(ctx, sc.ScenarioID, &newName, v2, "alice@recoup.example", nil)
	require.NoError(t, err)
	require.Equal(t, []any{2, 2, "Retail France"}, []any{up.Version, up.CurrentVersion, up.Name})

	old, err := st.Scenario(ctx, sc.ScenarioID, 1)
	require.NoError(t, err)
	require.JSONEq(t, string(v1), string(old.Steps), "version 1 stays readable")
	versions, err := st.ScenarioVersions(ctx, sc.ScenarioID)
	require.NoError(t, err)
	require.Len(t, versions, 2)

	_, err = st.Scenario(ctx, sc.ScenarioID, 3)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, err = st.CreateScenario(ctx, "Retail France", v1, false, "bob", nil)
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))

	var journaled int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE target = $1`, "scenario/"+strconv.FormatInt(sc.ScenarioID, 10)).Scan(&journaled))
	require.Equal(t, 2, journaled, "create and update are journaled")
}

func TestDefaultScenarioIsCreatedOnceAndCannotBeArchived(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	steps := json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`)
	id, err := st.EnsureDefaultScenario(ctx, "Default", steps)
	require.NoError(t, err)
	again, err := st.EnsureDefaultScenario(ctx, "Default", steps)
	require.NoError(t, err)
	require.Equal(t, id, again)
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(st.ArchiveScenario(ctx, id, "bob")))

	other, err := st.CreateScenario(ctx, "Gentle", steps, false, "bob", nil)
	require.NoError(t, err)
	require.NoError(t, st.ArchiveScenario(ctx, other.ScenarioID, "bob"))
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(st.ArchiveScenario(ctx, other.ScenarioID, "bob")))
	_, err = st.UpdateScenario(ctx, other.ScenarioID, nil, steps, "bob", nil)
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "an archived scenario cannot change")
	list, err := st.Scenarios(ctx, false)
	require.NoError(t, err)
	require.Len(t, list, 1)
}
