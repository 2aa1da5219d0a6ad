package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"recoup/domain"
	"recoup/store"
)

type accountsPage struct {
	Items []struct {
		ExternalID string         `json:"external_id"`
		Columns    map[string]any `json:"columns"`
		Figures    map[string]any `json:"figures"`
	} `json:"items"`
	Total   int64 `json:"total"`
	Columns []struct {
		Name, Type string
	} `json:"columns"`
	Bounded bool `json:"bounded"`
}

// ids lists a page's accounts, each with its value of column col.
func (p accountsPage) ids(col string) []string {
	out := []string{}
	for _, it := range p.Items {
		out = append(out, fmt.Sprintf("%s=%v", it.ExternalID, it.Columns[col]))
	}
	return out
}

// TestColumnsAPI works on setup's feed: C1 (EUR, limit 5,000.00) owes 100.00
// overdue + 50.25 not due − 20.00 credit note = 130.25; C2 owes nothing; C3
// (JPY, limit 1,000,000) owes 120,000 overdue.
func TestColumnsAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	bob := b.tokenFor(t, store.UserSpec{Email: "bob@recoup.example", Role: domain.RoleAgent})
	post := func(body string, status int) []byte {
		return b.do(t, http.MethodPost, "/api/v1/columns", "application/json", body, status)
	}

	bad := decode[struct {
		Error struct{ Code, Field, Message string }
	}](t,
		post(`{"name": "bad", "label": "Bad", "formula": "outstanding +\n  risk_class"}`, http.StatusBadRequest))
	require.Equal(t, "formula", bad.Error.Field)
	require.Equal(t, "formula: line 1, column 13: invalid operation: + (mismatched types float64 and string)", bad.Error.Message)
	b.doAs(t, alice, http.MethodPost, "/api/v1/columns", "application/json", `{"name": "x", "label": "X", "formula": "1"}`, http.StatusForbidden)

	headroom := decode[struct {
		ID   int64
		Type string
	}](t, post(`{"name": "headroom", "label": "Headroom", "formula": "credit_limit - outstanding"}`, http.StatusCreated))
	require.Equal(t, "number", headroom.Type)
	require.Equal(t, "bool", decode[struct{ Type string }](t, post(`{"name": "late", "label": "Late", "formula": "overdue > 0"}`, http.StatusCreated)).Type)

	list := func(token, query string) accountsPage {
		return decode[accountsPage](t, b.doAs(t, token, http.MethodGet, "/api/v1/customers?"+query, "", "", http.StatusOK))
	}
	p := list(b.admin, "sort=-headroom")
	require.Equal(t, []string{"C3=880000", "C1=4869.75", "C2=<nil>"}, p.ids("headroom"), "blanks last")
	require.Equal(t, []string{"C3=true", "C1=true", "C2=false"}, p.ids("late"))
	require.Len(t, p.Columns, 2)
	c1 := p.Items[1].Figures
	require.Equal(t, "130.25", c1["outstanding"].(map[string]any)["amount"])
	require.Nil(t, c1["average_days_to_pay"], "no payment history")

	require.Equal(t, []string{"C3=880000"}, list(b.admin, "where=late&headroom_min=5000").ids("headroom"))
	require.Equal(t, []string{"C1=4869.75"}, list(b.admin, "headroom_max=5000").ids("headroom"))
	// An agent's filter stays inside their portfolio: Bob has C2 only, which is not late.
	require.Equal(t, []string{"C1=true", "C3=true"}, list(alice, "where=late").ids("late"))
	require.Equal(t, int64(0), list(bob, "where=late").Total)
	for _, q := range []string{"where=headroom", "late_min=1", "sort=nope", "nope_min=1", "format=pdf"} {
		b.do(t, http.MethodGet, "/api/v1/customers?"+q, "", "", http.StatusBadRequest)
	}

	t.Run("csv", func(t *testing.T) {
		body := b.do(t, http.MethodGet, "/api/v1/customers?format=csv&sort=-headroom&"+url.Values{"where": {"late"}}.Encode(), "", "", http.StatusOK)
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 3) // the head, C3, C1
		col := func(name string) int { return slices.Index(rows[0], name) }
		require.Equal(t, []string{"C3", "C1"}, []string{rows[1][0], rows[2][0]})
		require.Equal(t, "130.25", rows[2][col("outstanding")])
		require.Equal(t, "4869.75", rows[2][col("headroom")])
		require.Equal(t, "true", rows[2][col("late")])
		require.Equal(t, "", rows[2][col("average_days_to_pay")])
	})
	t.Run("xlsx", func(t *testing.T) {
		_, rec := b.serve(b.admin, http.MethodGet, "/api/v1/customers?format=xlsx", "", "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", rec.Header().Get("Content-Type"))
		f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		require.NoError(t, err)
		rows, err := f.GetRows("Accounts")
		require.NoError(t, err)
		require.Len(t, rows, 4) // the head and the three customers, by name: C2, C1, C3
		cell := func(row int, name string) string {
			c, err := excelize.CoordinatesToCellName(slices.Index(rows[0], name)+1, row)
			require.NoError(t, err)
			return c
		}
		value := func(row int, name string) (string, excelize.CellType) {
			v, err := f.GetCellValue("Accounts", cell(row, name), excelize.Options{RawCellValue: true})
			require.NoError(t, err)
			typ, err := f.GetCellType("Accounts", cell(row, name))
			require.NoError(t, err)
			return v, typ
		}
		numeric := []excelize.CellType{excelize.CellTypeNumber, excelize.CellTypeUnset}
		text := []excelize.CellType{excelize.CellTypeInlineString, excelize.CellTypeSharedString}
		for _, tc := range []struct {
			row         int
			name, value string
			types       []excelize.CellType
		}{
			{3, "external_id", "C1", text},
			{3, "outstanding", "130.25", numeric},
			{3, "overdue", "100", numeric},
			{3, "credit_limit", "5000", numeric},
			{3, "headroom", "4869.75", numeric},
			{3, "days_overdue", "", numeric},
			{4, "outstanding", "120000", numeric},
			{4, "headroom", "880000", numeric},
			{2, "headroom", "", nil}, // blank
			{3, "late", "true", text},
		} {
			v, typ := value(tc.row, tc.name)
			if tc.name == "days_overdue" {
				require.NotEmpty(t, v)
			} else {
				require.Equal(t, tc.value, v, "row %d %s", tc.row, tc.name)
			}
			if tc.types != nil {
				require.Contains(t, tc.types, typ, "row %d %s", tc.row, tc.name)
			}
		}
		style, err := f.GetCellStyle("Accounts", cell(3, "outstanding"))
		require.NoError(t, err)
		require.NotZero(t, style, "amounts carry their currency's number format")
	})
	t.Run("customer figures", func(t *testing.T) {
		var id int64
		require.NoError(t, b.store.Pool.QueryRow(t.Context(), `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&id))
		d := decode[struct{ Figures map[string]any }](t, b.do(t, http.MethodGet, fmt.Sprintf("/api/v1/customers/%d", id), "", "", http.StatusOK))
		require.Equal(t, "130.25", d.Figures["outstanding"].(map[string]any)["amount"])
		require.Contains(t, d.Figures, "average_days_to_pay")
	})
	t.Run("change and delete", func(t *testing.T) {
		path := fmt.Sprintf("/api/v1/columns/%d", headroom.ID)
		changed := decode[struct{ Name, Type string }](t, b.do(t, http.MethodPut, path, "application/json",
			`{"name": "headroom", "label": "Headroom", "formula": "outstanding > credit_limit"}`, http.StatusOK))
		require.Equal(t, "bool", changed.Type)
		b.do(t, http.MethodDelete, path, "", "", http.StatusNoContent)
		b.do(t, http.MethodDelete, path, "", "", http.StatusNotFound)
		require.Len(t, decode[struct{ Items []any }](t, b.do(t, http.MethodGet, "/api/v1/columns", "", "", http.StatusOK)).Items, 1)
	})
}
