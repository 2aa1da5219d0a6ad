package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

func TestAssignmentRulesAndPinChooseTheScenario(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	steps := json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`)
	def, err := st.EnsureDefaultScenario(ctx, "Default", steps)
	require.NoError(t, err)
	firm, err := st.CreateScenario(ctx, "Firm", steps, false, "alice", nil)
	require.NoError(t, err)
	gentle, err := st.CreateScenario(ctx, "Gentle", steps, false, "alice", nil)
	require.NoError(t, err)
	rows := storetest.NewFactory(st.Pool)
	france := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	customer := rows.Customer(t, storetest.Customer{Entity: france, ExternalID: "C1", Name: "Martin"})
	issued, due := dunning.NewDate(2026, time.January, 1), dunning.NewDate(2026, time.February, 1)
	rows.Invoice(t, storetest.Invoice{Customer: customer, ExternalID: "I1", Number: "F-1", IssueDate: issued, DueDate: due,
		Amount: money.Money{Minor: 5000, Currency: money.MustCurrency("EUR")}})
	rows.Invoice(t, storetest.Invoice{Customer: customer, ExternalID: "I2", Number: "F-2", IssueDate: issued, DueDate: due,
		Amount: money.Money{Minor: 500000, Currency: money.MustCurrency("EUR")}})
	scenarios := func() map[string]int64 {
		a, _, err := st.AccountSnapshot(ctx, customer)
		require.NoError(t, err)
		out := map[string]int64{}
		for _, it := range a.Items {
			out[it.Number] = it.ScenarioID
		}
		return out
	}
	require.Equal(t, map[string]int64{"F-1": def, "F-2": def}, scenarios())

	fr, eur, big := "FR01", "EUR", int64(100000)
	r1, err := st.CreateAssignmentRule(ctx, store.AssignmentRule{Position: 20, ScenarioID: gentle.ScenarioID, EntityCode: &fr}, "alice")
	require.NoError(t, err)
	r2, err := st.CreateAssignmentRule(ctx, store.AssignmentRule{ScenarioID: firm.ScenarioID, Currency: &eur, MinAmountMinor: &big}, "alice")
	require.NoError(t, err)
	require.Equal(t, 21, r2.Position, "after the last rule")
	require.Equal(t, map[string]int64{"F-1": gentle.ScenarioID, "F-2": gentle.ScenarioID}, scenarios(), "rule 20 matches both first")

	r2.Position = 10
	_, err = st.UpdateAssignmentRule(ctx, r2, "alice")
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"F-1": gentle.ScenarioID, "F-2": firm.ScenarioID}, scenarios(), "the big invoice now meets the band first")
	list, err := st.AssignmentRules(ctx)
	require.NoError(t, err)
	require.Equal(t, []int64{r2.ID, r1.ID}, []int64{list[0].ID, list[1].ID})

	r1.Position = 10
	_, err = st.UpdateAssignmentRule(ctx, r1, "alice")
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))
	_, err = st.CreateAssignmentRule(ctx, store.AssignmentRule{ScenarioID: 999}, "alice")
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))

	require.NoError(t, st.PinCustomerScenario(ctx, customer, &firm.ScenarioID, "alice"))
	require.Equal(t, map[string]int64{"F-1": firm.ScenarioID, "F-2": firm.ScenarioID}, scenarios(), "a pin beats the rules")
	require.NoError(t, st.PinCustomerScenario(ctx, customer, nil, "alice"))
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(st.PinCustomerScenario(ctx, 999, nil, "alice")))

	require.NoError(t, st.DeleteAssignmentRule(ctx, r2.ID, "alice"))
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(st.DeleteAssignmentRule(ctx, r2.ID, "alice")))
	require.Equal(t, map[string]int64{"F-1": gentle.ScenarioID, "F-2": gentle.ScenarioID}, scenarios())

	var journaled int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE target LIKE 'assignment_rule/%' OR action = 'customer.scenario'`).Scan(&journaled))
	require.Equal(t, 2+1+1+2, journaled, "two creates, an update, a delete, two pins")
}

func TestMoveAssignmentRuleSwapsWithItsNeighbour(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	steps := json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`)
	sc, err := st.CreateScenario(ctx, "Firm", steps, false, "alice", nil)
	require.NoError(t, err)
	var ids []int64
	for _, pos := range []int{10, 20, 30} {
		r, err := st.CreateAssignmentRule(ctx, store.AssignmentRule{Position: pos, ScenarioID: sc.ScenarioID}, "alice")
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	order := func() (out []int64) {
		list, err := st.AssignmentRules(ctx)
		require.NoError(t, err)
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	moved, err := st.MoveAssignmentRule(ctx, ids[2], true, "alice")
	require.NoError(t, err)
	require.Equal(t, 20, moved.Position, "takes its neighbour's position")
	require.Equal(t, []int64{ids[0], ids[2], ids[1]}, order())
	_, err = st.MoveAssignmentRule(ctx, ids[0], false, "alice")
	require.NoError(t, err)
	require.Equal(t, []int64{ids[2], ids[0], ids[1]}, order())
	_, err = st.MoveAssignmentRule(ctx, ids[2], true, "alice")
	require.NoError(t, err, "the first rule moved up stays first")
	_, err = st.MoveAssignmentRule(ctx, ids[1], false, "alice")
	require.NoError(t, err, "the last rule moved down stays last")
	require.Equal(t, []int64{ids[2], ids[0], ids[1]}, order())
	_, err = st.MoveAssignmentRule(ctx, 999, true, "alice")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

func TestSnapshotCarriesScenarioSettings(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	steps := json.RawMessage(`[{"id": "due", "offset_days": 0, "channel": "email", "template": "reminder_due"}]`)
	sc, err := st.CreateScenario(ctx, "Patient", steps, false, "alice", json.RawMessage(`{"min_days_between": {"email": 10}}`))
	require.NoError(t, err)
	require.JSONEq(t, `{"min_days_between": {"email": 10}}`, string(sc.Settings))
	rows := storetest.NewFactory(st.Pool)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	customer := rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C1", Name: "Martin"})
	rows.Invoice(t, storetest.Invoice{Customer: customer, ExternalID: "I1", Number: "F-1", IssueDate: dunning.NewDate(2026, 1, 1),
		DueDate: dunning.NewDate(2026, 2, 1), Amount: money.Money{Minor: 5000, Currency: money.MustCurrency("EUR")}})
	require.NoError(t, st.PinCustomerScenario(ctx, customer, &sc.ScenarioID, "alice"))
	a, _, err := st.AccountSnapshot(ctx, customer)
	require.NoError(t, err)
	got := a.Scenarios[sc.ScenarioID]
	require.Equal(t, map[domain.Channel]int{domain.ChannelEmail: 10}, got.Settings.MinDaysBetween)
	require.Equal(t, "due", got.Steps[0].ID)

	up, err := st.UpdateScenario(ctx, sc.ScenarioID, nil, steps, "alice", nil)
	require.NoError(t, err)
	require.JSONEq(t, `{}`, string(up.Settings), "no settings: the defaults")
}
