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

// The sales rep's view of their customer: "do not ship" with the hold's
// reason and date at the top, before anything else of the account, the
// insolvency banner, the limit and its use; the home list says which
// customers are on hold; the same in French.
func TestSalesRepSeesDoNotShip(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	ctx := context.Background()
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)

	_, body := f.rep.get(page)
	require.NotContains(t, body, `id="do-not-ship"`, "not on hold")
	require.NotContains(t, body, `id="insolvency"`)
	require.Contains(t, body, `id="limit-use"`)

	res := f.agent.post(page+"/credit-hold", url.Values{"reason": {"Cheque <bounced>"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, err := f.b.store.Pool.Exec(ctx, `UPDATE customers SET legal_status = 'receivership', legal_status_since = '2026-03-02',
		open_orders_minor = 90000 WHERE id = $1`, f.mine)
	require.NoError(t, err)

	status, body := f.rep.get(page)
	require.Equal(t, http.StatusOK, status)
	banner := strings.Index(body, `id="do-not-ship"`)
	require.Positive(t, banner, "the do-not-ship banner")
	require.Less(t, banner, strings.Index(body, `<dl class="facts">`), "above the account's facts")
	for _, want := range []string{
		"Do not ship: credit hold", "Cheque &lt;bounced&gt;", "On hold since", "agent@example.com",
		`id="insolvency"`, "Insolvency proceedings", "Receivership",
		"Credit limit", "115.00% used", `class="alert-banner bad" id="limit-use"`, // (250 + 900) ÷ 1,000
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `action="`+page+`/credit-hold"`, "a sales rep sees the hold, cannot put one")

	_, body = f.rep.get("/")
	require.Contains(t, body, "Do not ship", "the home list of their customers shows the hold")

	_, err = f.b.store.Pool.Exec(ctx, `UPDATE users SET language = 'fr' WHERE email = 'rep@example.com'`)
	require.NoError(t, err)
	_, body = f.rep.get(page)
	for _, want := range []string{"Ne pas livrer : blocage crédit", "Procédure collective", "Redressement judiciaire", "115,00 % utilisé"} {
		require.Contains(t, body, want)
	}
}

// A person puts the account on credit hold with a reason from the account
// page (refused without one, or when they may not), and the page shows who
// and why; the credit limit request opens pre-filled with the provider's
// recommended limit and the current use.
func TestAccountCreditHoldAndLimitRequest(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)

	_, body := f.agent.get(page)
	require.Contains(t, body, `action="`+page+`/credit-hold"`)
	res := f.agent.post(page+"/credit-hold", url.Values{"reason": {" "}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "reason: required")
	for _, who := range []*browser{f.rep, f.auditor} {
		res = who.post(page+"/credit-hold", url.Values{"reason": {"x"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode)
	}
	res = f.agent.post("/accounts/"+strconv.FormatInt(f.theirs, 10)+"/credit-hold", url.Values{"reason": {"x"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode, "outside the perimeter")

	res = f.agent.post(page+"/credit-hold", url.Values{"reason": {"over the limit"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.agent.get(page)
	require.Contains(t, body, "The account is on credit hold")
	require.Contains(t, body, "over the limit")
	require.Contains(t, body, `action="`+page+`/credit-hold/release"`)
	require.NotContains(t, body, `action="`+page+`/credit-hold"`, "on hold already: release only")

	_, err := f.b.store.Pool.Exec(context.Background(), `UPDATE customers SET risk_limit_minor = 150000 WHERE id = $1`, f.mine)
	require.NoError(t, err)
	_, body = f.rep.get(page)
	require.Contains(t, body, `href="`+page+`?request=credit_limit_request#open-request"`)
	_, body = f.rep.get(page + "?request=credit_limit_request")
	require.Contains(t, body, `<option value="credit_limit_request" selected>`)
	require.Contains(t, body, `name="new_limit" inputmode="decimal" value="1500.00"`, "the provider's recommended limit")
	require.Contains(t, body, "Current limit 1000.00 EUR, 25.00 % used.")
	require.NotContains(t, body, `class="error" role="alert"`, "pre-filled, not refused")
}

// The accounts list has the use of the limit as a column, sortable and
// filtered by "limit use at least".
func TestAccountListLimitUse(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	_, body := f.agent.get("/accounts?sort=-limit_use")
	require.Contains(t, body, "25.00%")
	require.Contains(t, body, `aria-sort="descending"`)
	_, body = f.agent.get("/accounts?range=limit_use&min=25")
	require.Contains(t, body, "Mine &lt;b&gt;")
	_, body = f.agent.get("/accounts?range=limit_use&min=25.01")
	require.NotContains(t, body, "Mine &lt;b&gt;")
}

// The entity page edits the credit limit thresholds with the other settings:
// refused with the field's message when not whole percents, kept when a
// form without the field is posted.
func TestEntityCreditLimitThresholdsForm(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	_, body := cm.get("/entities/FR01")
	require.Contains(t, body, `name="credit_limit_thresholds" value="80, 100"`)
	form := url.Values{"sending": {"live"}, "max_data_age": {"1d"}, "min_amount_to_chase": {"0"}}
	thresholds := func() []int {
		s, err := b.store.EntitySettings(context.Background(), "FR01")
		require.NoError(t, err)
		return s.CreditLimitThresholds
	}

	form.Set("credit_limit_thresholds", "80, lots")
	res := cm.post("/entities/FR01/settings", form)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, fieldHTML(t, readBody(t, res), "credit_limit_thresholds"), "want whole percents")
	require.Equal(t, []int{80, 100}, thresholds(), "nothing saved")

	form.Set("credit_limit_thresholds", "120, 75 %")
	require.Equal(t, http.StatusSeeOther, cm.post("/entities/FR01/settings", form).StatusCode)
	require.Equal(t, []int{75, 120}, thresholds())
	form.Del("credit_limit_thresholds")
	require.Equal(t, http.StatusSeeOther, cm.post("/entities/FR01/settings", form).StatusCode)
	require.Equal(t, []int{75, 120}, thresholds(), "a form without the field keeps them")
}
