package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

// ruleOrder is the ids of the rules in the order they are tried.
func ruleOrder(t *testing.T, b *testBundle) []int64 {
	t.Helper()
	list, err := b.store.AssignmentRules(context.Background())
	require.NoError(t, err)
	var out []int64
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}

// fieldHTML is the form's HTML from the input with this id to the next label.
func fieldHTML(t *testing.T, body, id string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="`+id+`"`)
	require.True(t, ok, "field %s is shown", id)
	rest, _, _ = strings.Cut(rest, "<label")
	return rest
}

func TestCreditManagerOrdersTheAssignmentRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup <b>France</b>"})
	firm := createScenario(t, b, "Firm", false)
	gentle := createScenario(t, b, "Gentle <script>alert(1)</script>", false)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)

	status, body := cm.get("/rules")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No rule")
	status, body = cm.get("/rules/new")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<option value="FR01">FR01 · Recoup &lt;b&gt;France&lt;/b&gt;</option>`)

	for _, form := range []url.Values{
		{"scenario_id": {itoa(firm)}, "entity": {"FR01"}, "country": {"fr"}},
		{"scenario_id": {itoa(gentle)}, "currency": {"eur"}, "min_amount": {"1000"}, "max_amount": {"5000.50"}},
		{"scenario_id": {itoa(firm)}, "category": {"retail"}, "risk_class": {"high"}},
	} {
		res := cm.post("/rules/new", form)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, "%v: %s", form, readBody(t, res))
	}
	ids := ruleOrder(t, b)
	require.Len(t, ids, 3)
	status, body = cm.get("/rules")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Rule at position 3 saved.")
	require.Contains(t, body, "Gentle &lt;script&gt;alert(1)&lt;/script&gt;")
	require.Contains(t, body, "from €1,000.00 to below €5,000.50")
	require.Contains(t, body, `data-confirm="Delete the rule at position 1?`)

	res := cm.post("/rules/"+itoa(ids[2])+"/move", url.Values{"dir": {"up"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, []int64{ids[0], ids[2], ids[1]}, ruleOrder(t, b))
	res = cm.post("/rules/"+itoa(ids[0])+"/move", url.Values{"dir": {"up"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "the first rule moved up stays first")
	res = cm.post("/rules/"+itoa(ids[0])+"/move", url.Values{"dir": {"down"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, []int64{ids[2], ids[0], ids[1]}, ruleOrder(t, b))
	res = cm.post("/rules/"+itoa(ids[0])+"/move", url.Values{"dir": {"sideways"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)

	status, body = cm.get("/rules/" + itoa(ids[1]))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `name="min_amount" value="1000.00"`, "the band as decimals")
	res = cm.post("/rules/"+itoa(ids[1]), url.Values{"scenario_id": {itoa(firm)}, "position": {"3"}, "currency": {"EUR"},
		"min_amount": {"2000"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	rule, err := b.store.AssignmentRule(context.Background(), ids[1])
	require.NoError(t, err)
	require.Equal(t, firm, rule.ScenarioID)
	require.Equal(t, int64(200000), *rule.MinAmountMinor)
	require.Nil(t, rule.MaxAmountMinor)

	res = cm.post("/rules/"+itoa(ids[1])+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, []int64{ids[2], ids[0]}, ruleOrder(t, b))
	status, _ = cm.get("/rules/" + itoa(ids[1]))
	require.Equal(t, http.StatusNotFound, status)
}

func TestRuleFormShowsErrorsNextToTheirField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	firm := createScenario(t, b, "Firm", false)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	res := cm.post("/rules/new", url.Values{"scenario_id": {itoa(firm)}, "position": {"5"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	for _, tc := range []struct {
		name    string
		form    url.Values
		status  int
		field   string
		message string
	}{
		{"no scenario", url.Values{"country": {"FR"}}, 400, "scenario_id", "scenario_id: required"},
		{"a country that is not a code", url.Values{"scenario_id": {itoa(firm)}, "country": {"France"}}, 400, "country",
			"country: &#34;FRANCE&#34;: want an ISO 3166 code"},
		{"a band without currency", url.Values{"scenario_id": {itoa(firm)}, "min_amount": {"100"}}, 400, "min_amount",
			"min_amount: an amount band needs a currency"},
		{"a band upside down", url.Values{"scenario_id": {itoa(firm)}, "currency": {"EUR"}, "min_amount": {"100"}, "max_amount": {"50"}},
			400, "max_amount", "max_amount: must be above min_amount"},
		{"a position that is not a number", url.Values{"scenario_id": {itoa(firm)}, "position": {"first"}}, 400, "position",
			"position: &#34;first&#34; is not a whole number"},
		{"a position taken", url.Values{"scenario_id": {itoa(firm)}, "position": {"5"}}, 409, "position",
			"position: another rule already has position 5"},
	} {
		tc.form.Set("category", "<script>alert(1)</script>")
		res := cm.post("/rules/new", tc.form)
		require.Equal(t, tc.status, res.StatusCode, tc.name)
		body := readBody(t, res)
		require.Contains(t, fieldHTML(t, body, tc.field), tc.message, tc.name)
		summary, _, _ := strings.Cut(body, "<form method=\"post\" action=\"/rules/new\"")
		require.Contains(t, summary, tc.message, "%s: in the summary", tc.name)
		require.Contains(t, body, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`, tc.name)
	}
	require.Len(t, ruleOrder(t, b), 1, "nothing more saved")
}

func TestRulesByRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	firm := createScenario(t, b, "Firm", false)
	rule, err := b.store.AssignmentRules(context.Background())
	require.NoError(t, err)
	require.Empty(t, rule)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	require.Equal(t, http.StatusSeeOther, cm.post("/rules/new", url.Values{"scenario_id": {itoa(firm)}}).StatusCode)
	id := strconv.FormatInt(ruleOrder(t, b)[0], 10)
	for _, tc := range []struct {
		role        domain.Role
		read, write bool
	}{
		{domain.RoleAdmin, true, true},
		{domain.RoleAgent, true, false},
		{domain.RoleAuditor, true, false},
		{domain.RoleSalesRep, false, false},
	} {
		br := b.signIn(t, string(tc.role)+"@example.com", tc.role)
		status, body := br.get("/rules")
		if !tc.read {
			require.Equal(t, http.StatusForbidden, status, tc.role)
			continue
		}
		require.Equal(t, http.StatusOK, status, tc.role)
		require.Contains(t, body, ">Firm</a>", tc.role)
		for _, s := range []string{`href="/rules/new"`, `/move"`, `/delete"`, `href="/rules/` + id + `"`} {
			require.Equal(t, tc.write, strings.Contains(body, s), "%s: %s", tc.role, s)
		}
		if tc.write {
			continue
		}
		for _, p := range []string{"/rules/new", "/rules/" + id} {
			status, _ = br.get(p)
			require.Equal(t, http.StatusForbidden, status, "%s GET %s", tc.role, p)
		}
		for _, p := range []string{"/rules/new", "/rules/" + id, "/rules/" + id + "/move", "/rules/" + id + "/delete"} {
			res := br.post(p, url.Values{"scenario_id": {itoa(firm)}, "dir": {"down"}})
			require.Equal(t, http.StatusForbidden, res.StatusCode, "%s POST %s", tc.role, p)
		}
	}
	require.Len(t, ruleOrder(t, b), 1, "no reader changed the rules")
}
