package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"recoup/money"
	"recoup/store/storetest"
)

// A manager adds, changes and deletes the accounts list's columns; a bad
// formula comes back with its position; the columns show, filter and go into
// the download of the list; an agent may not define any.
func TestColumnsPage(t *testing.T) {
	t.Parallel()
	f := setupDesk(t)
	ctx := context.Background()
	eur := money.MustCurrency("EUR")
	f.b.rows.Invoice(t, storetest.Invoice{Customer: f.c1, Amount: money.Money{Minor: 50000, Currency: eur}}) // due long ago
	f.b.rows.Invoice(t, storetest.Invoice{Customer: f.c2, Amount: money.Money{Minor: 5000, Currency: eur}})

	status, body := f.manager.get("/columns")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No column yet")
	require.Contains(t, body, "<code>days_to_pay</code>", "the figures a formula may use")

	res := f.manager.post("/columns", url.Values{"name": {"big"}, "label": {"Big"}, "formula": {"outstanding >\n 100 +"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	page := readBody(t, res)
	require.Contains(t, page, `<p class="field-error">formula: line 2, column`)
	require.Contains(t, page, "outstanding &gt;\n 100 &#43;</textarea>", "the formula comes back to be corrected")

	res = f.manager.post("/columns", url.Values{"name": {"big"}, "label": {"Big debt"}, "formula": {"outstanding > 100"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res = f.manager.post("/columns", url.Values{"name": {"doubled"}, "label": {"Doubled"}, "formula": {"outstanding * 2"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	var big int64
	require.NoError(t, f.b.store.Pool.QueryRow(ctx, `SELECT id FROM account_columns WHERE name = 'big'`).Scan(&big))

	_, body = f.agent.get("/accounts?where=big")
	require.Contains(t, body, ">Big debt")
	require.Contains(t, body, `data-label="Doubled" class="num">1000.00</td>`)
	require.Contains(t, body, "&lt;script&gt;", "only the big account")
	require.NotContains(t, body, ">100.00</td>", "c2 (50.00, doubled 100.00) is filtered out")
	_, body = f.agent.get("/accounts?range=doubled&max=500&sort=-doubled")
	require.Contains(t, body, `data-label="Doubled" class="num">100.00</td>`)
	require.NotContains(t, body, "&lt;script&gt;")
	require.NotContains(t, body, `href="/columns"`, "an agent has no link to the columns page")

	status, body = f.agent.get("/accounts?format=xlsx&where=big")
	require.Equal(t, http.StatusOK, status)
	x, err := excelize.OpenReader(strings.NewReader(body))
	require.NoError(t, err)
	rows, err := x.GetRows("Accounts")
	require.NoError(t, err)
	require.Len(t, rows, 2, "the head and the one big account")
	require.Equal(t, "big", rows[0][len(rows[0])-2])
	require.Equal(t, []string{"true", "1000"}, rows[1][len(rows[1])-2:])

	_, body = f.agent.get("/accounts/" + itoa(f.c1))
	require.Contains(t, body, "Average days to pay")
	require.Contains(t, body, "no payment in the last 12 months")

	_, body = f.manager.get("/columns/" + itoa(big))
	require.Contains(t, body, "outstanding &gt; 100</textarea>")
	res = f.manager.post("/columns/"+itoa(big), url.Values{"name": {"big"}, "label": {"Big"}, "formula": {`risk_class == "" ? "unrated" : risk_class`}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.manager.get("/columns")
	require.Contains(t, body, "<td data-label=\"Type\">Text</td>")

	status, _ = f.agent.get("/columns")
	require.Equal(t, http.StatusForbidden, status)
	res = f.agent.post("/columns", url.Values{"name": {"mine"}, "label": {"Mine"}, "formula": {"1"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = f.agent.post("/columns/"+itoa(big)+"/delete", nil)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = f.manager.postForm("/columns/"+itoa(big)+"/delete", url.Values{"csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "no form token, no change")

	res = f.manager.post("/columns/"+itoa(big)+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	var n int
	require.NoError(t, f.b.store.Pool.QueryRow(ctx, `SELECT count(*) FROM account_columns`).Scan(&n))
	require.Equal(t, 1, n)
}
