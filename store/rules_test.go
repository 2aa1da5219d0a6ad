package store_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

func TestAssignmentRulesAndPinChooseTheScenario(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	steps := json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`)
	def, err := st.EnsureDefaultScenario(ctx, "Default", steps)
	require.NoError(t, err)
	firm, err := st.CreateScenario(ctx, "Firm", steps, false, "alice")
	require.NoError(t, err)
	gentle, err := st.CreateScenario(ctx, "Gentle", steps, false, "alice")
	require.NoError(t, err)
	var customer int64
	require.NoError(t, st.Pool.QueryRow(ctx, `
WITH e AS (INSERT INTO entities (code, name, country, currency, timezone, language) VALUES ('FR01', 'Recoup France', 'FR', 'EUR', 'Europe/Paris', 'fr') RETURNING id)
INSERT INTO customers (external_id, entity_id, name, country, language, currency, timezone)
SELECT 'C1', id, 'Martin', 'FR', 'fr', 'EUR', 'Europe/Paris' FROM e RETURNING id`).Scan(&customer))
	_, err = st.Pool.Exec(ctx, `
INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor, erp_open_minor, erp_import_id, open_minor, status)
VALUES ('I1', $1, 'F-1', 'invoice', '2026-01-01', '2026-02-01', 'EUR', 5000, 5000, 1, 5000, 'open'),
       ('I2', $1, 'F-2', 'invoice', '2026-01-01', '2026-02-01', 'EUR', 500000, 500000, 1, 500000, 'open')`, customer)
	require.NoError(t, err)
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
