package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

type promiseAnswer struct {
	ID         int64   `json:"id"`
	InvoiceIDs []int64 `json:"invoice_ids"`
	Amount     struct {
		Minor int64 `json:"minor"`
	} `json:"amount"`
	Date      string `json:"date"`
	HeldUntil string `json:"held_until"`
	Status    string `json:"status"`
	Source    string `json:"source"`
	CreatedBy string `json:"created_by"`
}

func TestPromisesAreRecordedListedAndCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, ext := range []string{"C1", "C2", "I1", "I2"} {
		var id int64
		q := `SELECT id FROM customers WHERE external_id = $1 UNION ALL SELECT id FROM invoices WHERE external_id = $1`
		require.NoError(t, b.store.Pool.QueryRow(ctx, q, ext).Scan(&id))
		ids[ext] = id
	}
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	rep := b.tokenFor(t, store.UserSpec{Email: "rep@recoup.example", Role: domain.RoleSalesRep})
	c1 := "/api/v1/customers/" + itoa64(ids["C1"]) + "/promises"
	date := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)

	created := decode[struct {
		Promise      promiseAnswer `json:"promise"`
		AccountWoken bool          `json:"account_woken"`
	}](t, b.doAs(t, alice, http.MethodPost, c1, "application/json",
		`{"amount_minor": 5000, "currency": "EUR", "date": "`+date+`", "oldest_first": true, "note": "pays on the 10th", "source": "call"}`,
		http.StatusCreated))
	p := created.Promise
	require.Equal(t, []int64{ids["I1"]}, p.InvoiceIDs, "the oldest open invoice covers 50.00")
	require.Equal(t, int64(5000), p.Amount.Minor)
	require.Equal(t, "open", p.Status)
	require.Contains(t, p.CreatedBy, "alice@recoup.example")
	require.Equal(t, time.Now().AddDate(0, 0, 13).Format(time.DateOnly), p.HeldUntil, "3 days' grace")
	require.False(t, created.AccountWoken, "this API has no Temporal connection")

	for _, tt := range []struct {
		name, body string
		status     int
	}{
		{"amount zero", `{"amount_minor": 0, "currency": "EUR", "date": "` + date + `", "oldest_first": true}`, http.StatusBadRequest},
		{"no currency", `{"amount_minor": 10, "date": "` + date + `", "oldest_first": true}`, http.StatusBadRequest},
		{"no invoices and not oldest first", `{"amount_minor": 10, "currency": "EUR", "date": "` + date + `"}`, http.StatusBadRequest},
		{"a date in the past", `{"amount_minor": 10, "currency": "EUR", "date": "2020-01-01", "oldest_first": true}`, http.StatusBadRequest},
		{"an invoice already promised", `{"amount_minor": 10, "currency": "EUR", "date": "` + date + `", "invoice_ids": [` + itoa64(ids["I1"]) + `]}`, http.StatusBadRequest},
		{"more than the invoice's open amount", `{"amount_minor": 5026, "currency": "EUR", "date": "` + date + `", "invoice_ids": [` + itoa64(ids["I2"]) + `]}`, http.StatusBadRequest},
		{"an unknown source", `{"amount_minor": 10, "currency": "EUR", "date": "` + date + `", "oldest_first": true, "source": "pigeon"}`, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b.doAs(t, alice, http.MethodPost, c1, "application/json", tt.body, tt.status)
		})
	}
	valid := `{"amount_minor": 10, "currency": "EUR", "date": "` + date + `", "oldest_first": true}`
	b.doAs(t, rep, http.MethodPost, c1, "application/json", valid, http.StatusForbidden)
	b.doAs(t, alice, http.MethodPost, "/api/v1/customers/"+itoa64(ids["C2"])+"/promises", "application/json", valid, http.StatusNotFound)

	list := decode[struct{ Items []promiseAnswer }](t, b.doAs(t, alice, http.MethodGet, c1, "", "", http.StatusOK))
	require.Len(t, list.Items, 1)
	require.Equal(t, p.ID, list.Items[0].ID)

	cancel := "/api/v1/promises/" + itoa64(p.ID) + "/cancel"
	b.doAs(t, rep, http.MethodPost, cancel, "application/json", `{"reason": "x"}`, http.StatusForbidden)
	b.doAs(t, alice, http.MethodPost, cancel, "application/json", `{"reason": ""}`, http.StatusBadRequest)
	bob := b.tokenFor(t, store.UserSpec{Email: "bob@recoup.example", Role: domain.RoleAgent})
	b.doAs(t, bob, http.MethodPost, cancel, "application/json", `{"reason": "not mine"}`, http.StatusNotFound)
	done := decode[struct{ Status string }](t, b.doAs(t, alice, http.MethodPost, cancel, "application/json",
		`{"reason": "the customer disputes the invoice"}`, http.StatusOK))
	require.Equal(t, "cancelled", done.Status)
	b.doAs(t, alice, http.MethodPost, cancel, "application/json", `{"reason": "again"}`, http.StatusConflict)
	b.do(t, http.MethodPost, "/api/v1/promises/999999/cancel", "application/json", `{"reason": "none"}`, http.StatusNotFound)

	var journaled int
	require.NoError(t, b.store.Pool.QueryRow(ctx,
		`SELECT count(*) FROM audit_journal WHERE action IN ('promise.create', 'promise.cancel')`).Scan(&journaled))
	require.Equal(t, 2, journaled)
}

func TestPaymentPlansAreRecordedAndListed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var c1, c2 int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C2'`).Scan(&c2))
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	rep := b.tokenFor(t, store.UserSpec{Email: "rep@recoup.example", Role: domain.RoleSalesRep})
	path := "/api/v1/customers/" + itoa64(c1) + "/payment-plans"
	d1, d2 := time.Now().AddDate(0, 0, 10).Format(time.DateOnly), time.Now().AddDate(0, 1, 10).Format(time.DateOnly)
	// C1 owes 100.00 (I1) + 50.25 (I2) = 150.25 EUR.
	valid := `{"currency": "EUR", "instalments": [{"date": "` + d1 + `", "amount_minor": 10000}, {"date": "` + d2 + `", "amount_minor": 5025}], "note": "two parts"}`

	for _, tt := range []struct{ name, body string }{
		{"no instalments", `{"currency": "EUR", "instalments": []}`},
		{"one minor unit short", `{"currency": "EUR", "instalments": [{"date": "` + d1 + `", "amount_minor": 15024}]}`},
		{"dates not increasing", `{"currency": "EUR", "instalments": [{"date": "` + d2 + `", "amount_minor": 10000}, {"date": "` + d1 + `", "amount_minor": 5025}]}`},
		{"a zero instalment", `{"currency": "EUR", "instalments": [{"date": "` + d1 + `", "amount_minor": 15025}, {"date": "` + d2 + `", "amount_minor": 0}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b.doAs(t, alice, http.MethodPost, path, "application/json", tt.body, http.StatusBadRequest)
		})
	}
	b.doAs(t, rep, http.MethodPost, path, "application/json", valid, http.StatusForbidden)
	b.doAs(t, alice, http.MethodPost, "/api/v1/customers/"+itoa64(c2)+"/payment-plans", "application/json", valid, http.StatusNotFound)

	created := decode[struct {
		Plan struct {
			ID          int64
			Status      string
			InvoiceIDs  []int64 `json:"invoice_ids"`
			Total       struct{ Minor int64 }
			Instalments []struct {
				Seq    int
				Date   string
				Status string
			}
		}
	}](t, b.doAs(t, alice, http.MethodPost, path, "application/json", valid, http.StatusCreated))
	require.Equal(t, "open", created.Plan.Status)
	require.Equal(t, int64(15025), created.Plan.Total.Minor)
	require.Len(t, created.Plan.InvoiceIDs, 2, "every open invoice")
	require.Equal(t, d2, created.Plan.Instalments[1].Date)

	b.doAs(t, alice, http.MethodPost, path, "application/json", valid, http.StatusBadRequest) // nothing left to plan
	list := decode[struct{ Items []struct{ ID int64 } }](t, b.doAs(t, rep, http.MethodGet, path, "", "", http.StatusNotFound))
	require.Empty(t, list.Items, "outside a sales rep's perimeter")
	list = decode[struct{ Items []struct{ ID int64 } }](t, b.doAs(t, alice, http.MethodGet, path, "", "", http.StatusOK))
	require.Len(t, list.Items, 1)

	cancel := "/api/v1/payment-plans/" + itoa64(created.Plan.ID) + "/cancel"
	b.doAs(t, rep, http.MethodPost, cancel, "application/json", `{"reason": "x"}`, http.StatusForbidden)
	b.doAs(t, alice, http.MethodPost, cancel, "application/json", `{"reason": " "}`, http.StatusBadRequest)
	bob := b.tokenFor(t, store.UserSpec{Email: "bob@recoup.example", Role: domain.RoleAgent})
	b.doAs(t, bob, http.MethodPost, cancel, "application/json", `{"reason": "not mine"}`, http.StatusNotFound)
	b.doAs(t, alice, http.MethodPost, cancel, "application/json", `{"reason": "renegotiated"}`, http.StatusOK)
	b.doAs(t, alice, http.MethodPost, cancel, "application/json", `{"reason": "again"}`, http.StatusConflict)
	b.doAs(t, alice, http.MethodPost, path, "application/json", valid, http.StatusCreated) // the invoices are free again
}
