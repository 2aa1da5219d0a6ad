package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

type creditView struct {
	OnHold     bool    `json:"on_hold"`
	HoldSince  *string `json:"hold_since"`
	HoldReason string  `json:"hold_reason"`
	HoldBy     string  `json:"hold_by"`
	RiskLimit  *struct {
		Amount string `json:"amount"`
	} `json:"risk_limit"`
	LegalStatus string `json:"legal_status"`
}

type creditCustomer struct {
	Figures struct {
		LimitUse   *json.Number `json:"limit_use"`
		OpenOrders *struct {
			Amount string `json:"amount"`
		} `json:"open_orders"`
	} `json:"figures"`
	Credit creditView `json:"credit"`
}

// The use of the credit limit is in the customer's JSON and the accounts
// list (sorted, filtered exactly); a person puts the account on credit hold
// with a reason, shown in the customer's credit status, and releases it.
func TestCreditLimitUseAndHoldEndpoints(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var c1 int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	path := "/api/v1/customers/" + itoa64(c1)

	// 100.00 + 50.25 − 20.00 owed on a limit of 5,000.00: 2.605 %, rounded half to even.
	got := decode[creditCustomer](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Equal(t, json.Number("2.60"), *got.Figures.LimitUse)
	require.Nil(t, got.Figures.OpenOrders, "the ERP sends no open orders")
	require.Equal(t, creditView{LegalStatus: "active"}, got.Credit)

	_, err := b.store.Pool.Exec(ctx, `UPDATE customers SET open_orders_minor = 400000, risk_limit_minor = 800000 WHERE id = $1`, c1)
	require.NoError(t, err)
	got = decode[creditCustomer](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Equal(t, json.Number("82.60"), *got.Figures.LimitUse, "open orders count")
	require.Equal(t, "4000.00", got.Figures.OpenOrders.Amount)
	require.Equal(t, "8000.00", got.Credit.RiskLimit.Amount)

	type list struct {
		Items []struct {
			ExternalID string `json:"external_id"`
			Figures    struct {
				LimitUse *json.Number `json:"limit_use"`
			} `json:"figures"`
		} `json:"items"`
		Total int64 `json:"total"`
	}
	l := decode[list](t, b.do(t, http.MethodGet, "/api/v1/customers?sort=-limit_use", "", "", http.StatusOK))
	var order []string
	for _, it := range l.Items {
		order = append(order, it.ExternalID)
	}
	require.Equal(t, []string{"C1", "C3", "C2"}, order, "82.60 %, 12.00 %, then no limit last")
	for _, tc := range []struct {
		query string
		want  int64
	}{
		{"limit_use_min=82.6", 1}, {"limit_use_min=82.61", 0}, {"limit_use_max=12", 1}, {"limit_use_min=0", 2},
	} {
		l = decode[list](t, b.do(t, http.MethodGet, "/api/v1/customers?"+tc.query, "", "", http.StatusOK))
		require.Equal(t, tc.want, l.Total, tc.query)
	}
	b.do(t, http.MethodGet, "/api/v1/customers?limit_use_min=lots", "", "", http.StatusBadRequest)

	hold := path + "/credit-hold"
	b.do(t, http.MethodPost, hold, "application/json", `{"reason": "  "}`, http.StatusBadRequest)
	rep := b.tokenFor(t, store.UserSpec{Email: "rep@recoup.example", Role: domain.RoleSalesRep})
	b.doAs(t, rep, http.MethodPost, hold, "application/json", `{"reason": "no"}`, http.StatusForbidden)
	held := decode[creditView](t, b.do(t, http.MethodPost, hold, "application/json", `{"reason": "cheque bounced"}`, http.StatusOK))
	require.True(t, held.OnHold)
	require.Equal(t, "cheque bounced", held.HoldReason)
	require.Equal(t, "root@recoup.example (token 1)", held.HoldBy, "the actor, as journaled")
	require.NotNil(t, held.HoldSince)
	b.do(t, http.MethodPost, hold, "application/json", `{"reason": "again"}`, http.StatusConflict)
	b.do(t, http.MethodPost, "/api/v1/customers/999999/credit-hold", "application/json", `{"reason": "x"}`, http.StatusNotFound)

	got = decode[creditCustomer](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Equal(t, held.HoldReason, got.Credit.HoldReason)
	l = decode[list](t, b.do(t, http.MethodGet, "/api/v1/customers?on_hold=true", "", "", http.StatusOK))
	require.Equal(t, int64(1), l.Total)

	b.do(t, http.MethodPost, hold+"/release", "application/json", `{"reason": "paid by transfer"}`, http.StatusOK)
	got = decode[creditCustomer](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.False(t, got.Credit.OnHold)
	require.Empty(t, got.Credit.HoldReason)
}

// An entity's credit limit thresholds are read and written with its
// settings: sorted, each once, from 1 to 1000 %.
func TestEntityCreditLimitThresholds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	type settings struct {
		Thresholds []int `json:"credit_limit_thresholds"`
	}
	got := decode[settings](t, b.do(t, http.MethodGet, "/api/v1/entities/FR01/settings", "", "", http.StatusOK))
	require.Equal(t, []int{80, 100}, got.Thresholds, "the default")
	got = decode[settings](t, b.do(t, http.MethodPut, "/api/v1/entities/FR01/settings", "application/json",
		`{"credit_limit_thresholds": [120, 75, 75]}`, http.StatusOK))
	require.Equal(t, []int{75, 120}, got.Thresholds)
	b.do(t, http.MethodPut, "/api/v1/entities/FR01/settings", "application/json", `{"credit_limit_thresholds": [0]}`, http.StatusBadRequest)
	got = decode[settings](t, b.do(t, http.MethodPut, "/api/v1/entities/FR01/settings", "application/json",
		`{"credit_limit_thresholds": []}`, http.StatusOK))
	require.Equal(t, []int{}, got.Thresholds, "none: no alert")
}
