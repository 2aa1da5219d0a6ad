package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type ruleItem struct {
	ID         int64
	Position   int
	ScenarioID int64   `json:"scenario_id"`
	Entity     *string `json:"entity"`
	Currency   *string `json:"currency"`
	MinAmount  *string `json:"min_amount"`
	MaxAmount  *string `json:"max_amount"`
}

// newScenario creates a scenario named name and returns its id.
func newScenario(t *testing.T, b *testBundle, name string) int64 {
	t.Helper()
	body := strings.Replace(firmScenario, `"Firm"`, fmt.Sprintf("%q", name), 1)
	return decode[struct{ ID int64 }](t, b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", body, http.StatusCreated)).ID
}

func customerID(t *testing.T, b *testBundle, externalID string) int64 {
	t.Helper()
	p := decode[page](t, b.do(t, http.MethodGet, "/api/v1/customers?q="+externalID, "", "", http.StatusOK))
	require.Len(t, p.Items, 1)
	return int64(p.Items[0]["id"].(float64))
}

func TestAssignmentRulesAreOrderedAndJournaled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sc := newScenario(t, b, "Firm")
	const rules = "/api/v1/scenario-rules"

	first := decode[ruleItem](t, b.do(t, http.MethodPost, rules, "application/json",
		fmt.Sprintf(`{"position": 10, "scenario_id": %d, "entity": "FR01", "currency": "EUR", "min_amount": "100", "max_amount": "1000.50"}`, sc), http.StatusCreated))
	require.Equal(t, 10, first.Position)
	require.Equal(t, []string{"FR01", "EUR", "100.00", "1000.50"}, []string{*first.Entity, *first.Currency, *first.MinAmount, *first.MaxAmount})
	second := decode[ruleItem](t, b.do(t, http.MethodPost, rules, "application/json",
		fmt.Sprintf(`{"scenario_id": %d, "currency": "JPY", "min_amount": "100000", "country": null, "category": ""}`, sc), http.StatusCreated))
	require.Equal(t, 11, second.Position, "no position: after the last rule")
	require.Equal(t, "100000", *second.MinAmount)
	require.Nil(t, second.MaxAmount)

	b.do(t, http.MethodPost, rules, "application/json", fmt.Sprintf(`{"position": 10, "scenario_id": %d}`, sc), http.StatusConflict)
	path := rules + "/" + itoa64(second.ID)
	e := decode[apiError](t, b.do(t, http.MethodPut, path, "application/json", fmt.Sprintf(`{"position": 10, "scenario_id": %d}`, sc), http.StatusConflict))
	require.Equal(t, "position", e.Error.Field)

	moved := decode[ruleItem](t, b.do(t, http.MethodPut, path, "application/json", fmt.Sprintf(`{"position": 5, "scenario_id": %d, "entity": "JP01"}`, sc), http.StatusOK))
	require.Equal(t, 5, moved.Position)
	require.Nil(t, moved.Currency, "a PUT replaces the whole rule")
	list := decode[struct{ Items []ruleItem }](t, b.do(t, http.MethodGet, rules, "", "", http.StatusOK))
	require.Equal(t, []int64{second.ID, first.ID}, []int64{list.Items[0].ID, list.Items[1].ID}, "ordered by position")
	kept := decode[ruleItem](t, b.do(t, http.MethodPut, path, "application/json", fmt.Sprintf(`{"scenario_id": %d}`, sc), http.StatusOK))
	require.Equal(t, 5, kept.Position, "no position: unchanged")
	require.Equal(t, kept, decode[ruleItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)))

	b.do(t, http.MethodDelete, path, "", "", http.StatusNoContent)
	b.do(t, http.MethodDelete, path, "", "", http.StatusNotFound)
	b.do(t, http.MethodGet, path, "", "", http.StatusNotFound)
	b.do(t, http.MethodPut, path, "application/json", fmt.Sprintf(`{"scenario_id": %d}`, sc), http.StatusNotFound)
	b.do(t, http.MethodGet, rules+"/abc", "", "", http.StatusBadRequest)

	require.Equal(t, 1, journaled(t, b, "assignment_rule.create", "assignment_rule/"+itoa64(first.ID)))
	require.Equal(t, 1, journaled(t, b, "assignment_rule.create", "assignment_rule/"+itoa64(second.ID)))
	require.Equal(t, 2, journaled(t, b, "assignment_rule.update", "assignment_rule/"+itoa64(second.ID)))
	require.Equal(t, 1, journaled(t, b, "assignment_rule.delete", "assignment_rule/"+itoa64(second.ID)))

	// A scenario a rule uses cannot be archived (the scenarios API already says so).
	b.do(t, http.MethodDelete, "/api/v1/scenarios/"+itoa64(sc), "", "", http.StatusConflict)
}

func TestAssignmentRuleValidationNamesTheField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sc := newScenario(t, b, "Firm")
	archived := newScenario(t, b, "Old")
	b.do(t, http.MethodDelete, "/api/v1/scenarios/"+itoa64(archived), "", "", http.StatusNoContent)
	tests := []struct {
		name, body, field, message string
	}{
		{"no scenario", `{"entity": "FR01"}`, "scenario_id", "required"},
		{"unknown scenario", `{"scenario_id": 999}`, "scenario_id", "no scenario 999"},
		{"archived scenario", fmt.Sprintf(`{"scenario_id": %d}`, archived), "scenario_id", "archived"},
		{"unknown entity", fmt.Sprintf(`{"scenario_id": %d, "entity": "DE01"}`, sc), "entity", "DE01"},
		{"bad country", fmt.Sprintf(`{"scenario_id": %d, "country": "fr"}`, sc), "country", "upper-case"},
		{"negative position", fmt.Sprintf(`{"scenario_id": %d, "position": -1}`, sc), "position", "want 1 to"},
		{"band without currency", fmt.Sprintf(`{"scenario_id": %d, "min_amount": "100"}`, sc), "min_amount", "currency"},
		{"unknown currency", fmt.Sprintf(`{"scenario_id": %d, "currency": "EUX", "max_amount": "1"}`, sc), "currency", "EUX"},
		{"min above max", fmt.Sprintf(`{"scenario_id": %d, "currency": "EUR", "min_amount": "500", "max_amount": "100"}`, sc), "max_amount", "above min_amount"},
		{"min equals max", fmt.Sprintf(`{"scenario_id": %d, "currency": "EUR", "min_amount": "100", "max_amount": "100.00"}`, sc), "max_amount", "above min_amount"},
		{"too many decimals", fmt.Sprintf(`{"scenario_id": %d, "currency": "JPY", "min_amount": "10.5"}`, sc), "min_amount", "too many decimals"},
		{"negative amount", fmt.Sprintf(`{"scenario_id": %d, "currency": "EUR", "max_amount": "-1"}`, sc), "max_amount", "negative"},
		{"not a number", fmt.Sprintf(`{"scenario_id": %d, "currency": "EUR", "max_amount": "1,000"}`, sc), "max_amount", "decimal"},
		{"float amount", fmt.Sprintf(`{"scenario_id": %d, "currency": "EUR", "max_amount": 100.5}`, sc), "max_amount", "want string"},
		{"unknown field", fmt.Sprintf(`{"scenario_id": %d, "entity_code": "FR01"}`, sc), "entity_code", "unknown field"},
	}
	for _, tt := range tests {
		e := decode[apiError](t, b.do(t, http.MethodPost, "/api/v1/scenario-rules", "application/json", tt.body, http.StatusBadRequest))
		require.Equal(t, "invalid", e.Error.Code, tt.name)
		require.Equal(t, tt.field, e.Error.Field, tt.name)
		require.Contains(t, e.Error.Message, tt.message, tt.name)
	}
	var n int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM assignment_rules`).Scan(&n))
	require.Zero(t, n)
}

func TestCustomerScenarioPin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sc := newScenario(t, b, "Firm")
	archived := newScenario(t, b, "Old")
	b.do(t, http.MethodDelete, "/api/v1/scenarios/"+itoa64(archived), "", "", http.StatusNoContent)
	c1 := customerID(t, b, "C1")
	path := "/api/v1/customers/" + itoa64(c1) + "/scenario"
	pinned := func() *int64 {
		var id *int64
		require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT scenario_id FROM customers WHERE id = $1`, c1).Scan(&id))
		return id
	}

	got := decode[struct {
		CustomerID int64  `json:"customer_id"`
		ScenarioID *int64 `json:"scenario_id"`
	}](t, b.do(t, http.MethodPut, path, "application/json", fmt.Sprintf(`{"scenario_id": %d}`, sc), http.StatusOK))
	require.Equal(t, c1, got.CustomerID)
	require.Equal(t, sc, *got.ScenarioID)
	require.Equal(t, sc, *pinned())
	b.do(t, http.MethodDelete, "/api/v1/scenarios/"+itoa64(sc), "", "", http.StatusConflict)

	tests := []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"archived scenario", path, fmt.Sprintf(`{"scenario_id": %d}`, archived), 400, "scenario_id"},
		{"unknown scenario", path, `{"scenario_id": 999}`, 400, "scenario_id"},
		{"no scenario_id", path, `{}`, 400, "scenario_id"},
		{"not an id", path, `{"scenario_id": "x"}`, 400, "scenario_id"},
		{"zero", path, `{"scenario_id": 0}`, 400, "scenario_id"},
		{"unknown customer", "/api/v1/customers/999999/scenario", fmt.Sprintf(`{"scenario_id": %d}`, sc), 404, ""},
	}
	for _, tt := range tests {
		e := decode[apiError](t, b.do(t, http.MethodPut, tt.path, "application/json", tt.body, tt.status))
		require.Equal(t, tt.field, e.Error.Field, tt.name)
	}
	require.Equal(t, sc, *pinned(), "refused pins change nothing")

	b.do(t, http.MethodPut, path, "application/json", `{"scenario_id": null}`, http.StatusOK)
	require.Nil(t, pinned())
	require.Equal(t, 2, journaled(t, b, "customer.scenario", "customer/"+itoa64(c1)))
	b.do(t, http.MethodDelete, "/api/v1/scenarios/"+itoa64(sc), "", "", http.StatusNoContent)
}
