package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// The hold endpoints answer as the OpenAPI document says: a hold, 409 when
// held twice or not held, the release reason from the query; entity
// holidays are replaced and read back.
func TestInvoiceHoldAndHolidaysEndpoints(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var inv int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT id FROM invoices WHERE external_id = 'I1'`).Scan(&inv))
	path := "/api/v1/invoices/" + itoa64(inv) + "/hold"

	h := decode[struct {
		InvoiceID int64  `json:"invoice_id"`
		Until     string `json:"until"`
		Reason    string `json:"reason"`
	}](t, b.do(t, http.MethodPost, path, "application/json", `{"until": "2099-01-10", "reason": "delivery checked"}`, http.StatusOK))
	require.Equal(t, inv, h.InvoiceID)
	require.Equal(t, "2099-01-10", h.Until)
	b.do(t, http.MethodPost, path, "application/json", `{"reason": "again"}`, http.StatusConflict)
	b.do(t, http.MethodPost, "/api/v1/invoices/999999/hold", "application/json", `{"reason": "x"}`, http.StatusNotFound)

	b.do(t, http.MethodDelete, path+"?reason=delivered", "", "", http.StatusOK)
	b.do(t, http.MethodDelete, path, "application/json", `{"reason": "delivered"}`, http.StatusConflict)
	b.do(t, http.MethodDelete, path+"?other=1", "", "", http.StatusBadRequest)

	var c1 int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	b.do(t, http.MethodPost, "/api/v1/customers/"+itoa64(c1)+"/credit-hold/release", "application/json", `{"reason": "paid"}`, http.StatusConflict)

	body := `{"holidays": [{"date": "2026-06-13", "name": "Santo António"}, {"date": "2026-06-10", "name": "Dia de Portugal"}]}`
	b.do(t, http.MethodPut, "/api/v1/entities/FR01/holidays", "application/json", body, http.StatusOK)
	got := decode[struct {
		Holidays []struct{ Date, Name string }
	}](t, b.do(t, http.MethodGet, "/api/v1/entities/FR01/holidays", "", "", http.StatusOK))
	require.Len(t, got.Holidays, 2)
	require.Equal(t, "2026-06-10", got.Holidays[0].Date, "in date order")
	b.do(t, http.MethodGet, "/api/v1/entities/XX/holidays", "", "", http.StatusNotFound)
}
