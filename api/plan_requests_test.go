package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/auth"
	"recoup/store"
)

// A plan the customer proposed in the portal is accepted through the API
// (the plan recorded, the case approved) or refused as a decision; a second
// acceptance is a conflict. The answers are the documented ones.
func TestAPlanRequestIsAcceptedOrRefusedThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var c1, i1, i2 int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM invoices WHERE external_id = 'I1'`).Scan(&i1))
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM invoices WHERE external_id = 'I2'`).Scan(&i2))
	a := app.New(b.store, nil, nil)
	token, hash := auth.NewPortalToken(false)
	_, err := b.store.IssuePortalLink(ctx, store.PortalLinkWrite{CustomerID: c1, Hash: hash, Contact: "ap@martin.example"})
	require.NoError(t, err)
	s, _, err := a.OpenPortal(ctx, token)
	require.NoError(t, err)
	propose := func(invoice, owed int64) int64 {
		k, err := a.PortalRequestPlan(ctx, s, app.PortalPlanRequest{InvoiceIDs: []int64{invoice},
			Instalments: []app.InstalmentRequest{{Date: "2030-01-10", AmountMinor: owed - 1000}, {Date: "2030-02-10", AmountMinor: 1000}}})
		require.NoError(t, err)
		return k.ID
	}
	accepted, refused := propose(i1, 10000), propose(i2, 5025)

	out := decode[struct {
		Plan struct {
			ID         int64   `json:"id"`
			InvoiceIDs []int64 `json:"invoice_ids"`
		} `json:"plan"`
		Case struct {
			Status   string `json:"status"`
			Decision string `json:"decision"`
			Details  struct {
				PlanRequest app.PlanProposal `json:"plan_request"`
			} `json:"details"`
		} `json:"case"`
	}](t, b.do(t, "POST", "/api/v1/cases/"+itoa64(accepted)+"/accept-plan", "application/json", `{"note": "agreed"}`, http.StatusCreated))
	require.Equal(t, []int64{i1}, out.Plan.InvoiceIDs)
	require.Equal(t, "decided", out.Case.Status)
	require.Equal(t, "approved", out.Case.Decision)
	require.Equal(t, int64(10000), out.Case.Details.PlanRequest.TotalMinor)
	b.do(t, "POST", "/api/v1/cases/"+itoa64(accepted)+"/accept-plan", "application/json", `{}`, http.StatusConflict)

	b.do(t, "POST", "/api/v1/cases/"+itoa64(refused)+"/decide", "application/json", `{"decision": "approved", "reason": "x"}`, http.StatusBadRequest)
	b.do(t, "POST", "/api/v1/cases/"+itoa64(refused)+"/decide", "application/json", `{"decision": "refused", "reason": "too long"}`, http.StatusOK)
	var plans int
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT count(*) FROM payment_plans WHERE customer_id = $1`, c1).Scan(&plans))
	require.Equal(t, 1, plans)
}

// Invoice PDFs come in as an import of kind documents (base64 in CSV or
// JSON), answered as the other kinds are.
func TestADocumentsImportThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"))
	res := decode[struct {
		Kind     string `json:"kind"`
		Inserted int64  `json:"inserted"`
		Rejected int64  `json:"rejected"`
	}](t, b.do(t, "POST", "/api/v1/imports?kind=documents", "application/json",
		`[{"invoice_external_id": "I1", "file_name": "F-1.pdf", "content": "`+pdf+`"}]`, http.StatusOK))
	require.Equal(t, "documents", res.Kind)
	require.Equal(t, int64(1), res.Inserted)
}
