package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/store/storetest"
)

// Holding an invoice and releasing it from the account page (written
// directly here: no Temporal runs), refused for those who may not and
// outside the perimeter; the credit hold's release likewise.
func TestAccountHoldsAndCreditHoldRelease(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	ctx := context.Background()
	scenario, err := f.b.store.EnsureDefaultScenario(ctx, "Default", json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`))
	require.NoError(t, err)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)
	inv := f.b.rows.Invoice(t, storetest.Invoice{Customer: f.mine, Number: "F-HOLD", DueDate: storetest.DefaultDueDate, Amount: eurs(40)})
	invID := strconv.FormatInt(inv, 10)

	_, body := f.agent.get(page)
	require.Contains(t, body, `action="`+page+`/holds"`)
	require.Contains(t, body, "No invoice is held")
	require.Contains(t, body, `<option value="`+invID+`">F-HOLD`, "the form offers the open invoice")

	res := f.agent.post(page+"/holds", url.Values{"invoice_id": {invID}, "until": {"2099-01-10"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "reason: required", "the use case's message, next to its field")
	res = f.agent.post(page+"/holds", url.Values{"invoice_id": {invID}, "until": {"soon"}, "reason": {"x"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "want a date")

	res = f.agent.post(page+"/holds", url.Values{"invoice_id": {invID}, "until": {"2099-01-10"}, "reason": {"delivery checked"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.agent.get(page)
	require.Contains(t, body, "Invoice held until 2099-01-10")
	require.Contains(t, body, "delivery checked")
	require.Contains(t, body, `action="`+page+`/holds/`+invID+`/release"`)

	res = f.agent.post(page+"/holds", url.Values{"invoice_id": {invID}, "reason": {"again"}})
	require.Equal(t, http.StatusConflict, res.StatusCode, "already held")

	for _, tc := range []struct {
		who  *browser
		path string
	}{{f.auditor, "/holds"}, {f.rep, "/holds"}, {f.auditor, "/holds/" + invID + "/release"}, {f.rep, "/credit-hold/release"}} {
		res := tc.who.post(page+tc.path, url.Values{"invoice_id": {invID}, "reason": {"x"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode, tc.path)
	}
	_, body = f.auditor.get(page)
	require.NotContains(t, body, `action="`+page+`/holds`, "no hold buttons for an auditor")
	theirs := "/accounts/" + strconv.FormatInt(f.theirs, 10)
	res = f.agent.post(theirs+"/credit-hold/release", url.Values{"reason": {"x"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	res = f.agent.post(page+"/holds/"+invID+"/release", url.Values{"reason": {"delivered"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.agent.get(page)
	require.Contains(t, body, "Hold released")
	require.Contains(t, body, "No invoice is held")

	require.NoError(t, f.b.store.PutOnHold(ctx, f.mine, scenario, "k-hold", "dunning/x"))
	_, body = f.agent.get(page)
	require.Contains(t, body, `action="`+page+`/credit-hold/release"`)
	res = f.agent.post(page+"/credit-hold/release", url.Values{"reason": {""}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res = f.agent.post(page+"/credit-hold/release", url.Values{"reason": {"paid in full"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.agent.get(page)
	require.Contains(t, body, "Credit hold released")
	require.NotContains(t, body, `action="`+page+`/credit-hold/release"`)
}
