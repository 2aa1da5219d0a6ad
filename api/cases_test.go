package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"recoup/domain"
	"recoup/store"
)

// caseIDs are the ids the case tests use: C1 and its open invoices F-1 and F-2.
func (b *testBundle) caseIDs(t *testing.T) (customer, f1, f2 int64) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&customer))
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM invoices WHERE external_id = 'I1'`).Scan(&f1))
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM invoices WHERE external_id = 'I2'`).Scan(&f2))
	return customer, f1, f2
}

type caseBody struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	Department string `json:"department"`
	Owner      string `json:"owner"`
	Decision   string `json:"decision"`
	Invoices   []struct {
		InvoiceID  int64 `json:"invoice_id"`
		CreditNote *struct {
			Minor int64 `json:"minor"`
		} `json:"credit_note"`
	} `json:"invoices"`
}

func (b *testBundle) invoiceStatus(t *testing.T, id int64) string {
	t.Helper()
	var s string
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT status FROM invoices WHERE id = $1`, id).Scan(&s))
	return s
}

// A dispute from opening to decision, through the API as documented: the
// disputed invoice is held, the other one is not; rejecting it brings it back.
func TestDisputeThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer, f1, f2 := b.caseIDs(t)
	const js = "application/json"

	opened := decode[struct {
		Case            caseBody `json:"case"`
		WorkflowStarted bool     `json:"workflow_started"`
		WorkflowError   string   `json:"workflow_error"`
	}](t, b.do(t, http.MethodPost, "/api/v1/cases", js,
		fmt.Sprintf(`{"type": "dispute", "customer_id": %d, "reason": "quantity", "description": "two pallets short",
		              "invoices": [{"invoice_id": %d, "disputed_minor": 4000}]}`, customer, f1), http.StatusCreated))
	k := opened.Case
	require.Equal(t, "logistics", k.Department)
	require.False(t, opened.WorkflowStarted, "no Temporal in this harness")
	require.NotEmpty(t, opened.WorkflowError)
	require.Equal(t, "disputed", b.invoiceStatus(t, f1))
	require.Equal(t, "open", b.invoiceStatus(t, f2))
	path := fmt.Sprintf("/api/v1/cases/%d", k.ID)

	for query, total := range map[string]int64{"": 1, "?type=dispute&status=open": 1, "?department=sales": 0,
		fmt.Sprintf("?customer=%d&sla=on_time", customer): 1, "?owner=nobody@recoup.example": 0} {
		p := decode[page](t, b.do(t, http.MethodGet, "/api/v1/cases"+query, "", "", http.StatusOK))
		require.Equal(t, total, p.Total, query)
	}
	b.do(t, http.MethodGet, "/api/v1/cases?sla=late", "", "", http.StatusBadRequest)

	b.do(t, http.MethodPost, path+"/comments", js, `{"text": "@alice@recoup.example can you call them?"}`, http.StatusCreated)
	b.do(t, http.MethodPost, path+"/comments", js, `{"text": "hi", "mentions": ["ghost@recoup.example"]}`, http.StatusBadRequest)
	routed := decode[caseBody](t, b.do(t, http.MethodPost, path+"/route", js,
		`{"department": "sales", "owner_email": "bob@recoup.example", "reason": "a pricing question after all"}`, http.StatusOK))
	require.Equal(t, "sales", routed.Department)
	require.Equal(t, "bob@recoup.example", routed.Owner)
	waiting := decode[caseBody](t, b.do(t, http.MethodPost, path+"/status", js,
		`{"status": "waiting_customer", "reason": "asked for the delivery note"}`, http.StatusOK))
	require.Equal(t, "waiting_customer", waiting.Status)

	got := decode[struct {
		Case      caseBody         `json:"case"`
		Comments  []map[string]any `json:"comments"`
		Live      any              `json:"live"`
		LiveError string           `json:"live_error"`
	}](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Len(t, got.Comments, 1)
	require.Equal(t, []any{"alice@recoup.example"}, got.Comments[0]["mentions"])
	require.Nil(t, got.Live)
	require.NotEmpty(t, got.LiveError)

	b.do(t, http.MethodPost, path+"/decide", js, `{"decision": "approved", "reason": "x"}`, http.StatusBadRequest)
	decided := decode[struct {
		Case    caseBody `json:"case"`
		Resumed []int64  `json:"resumed_invoice_ids"`
		Told    string   `json:"customer_told"`
		Emailed *bool    `json:"customer_emailed"`
	}](t, b.do(t, http.MethodPost, path+"/decide", js, `{"decision": "rejected", "reason": "the delivery note is signed"}`, http.StatusOK))
	require.Equal(t, "rejected", decided.Case.Decision)
	require.Equal(t, []int64{f1}, decided.Resumed)
	require.NotNil(t, decided.Emailed)
	require.False(t, *decided.Emailed, "no Temporal in this test: not emailed")
	require.Contains(t, decided.Told, "not emailed")
	require.Equal(t, "open", b.invoiceStatus(t, f1), "dunned again")
	b.do(t, http.MethodPost, path+"/decide", js, `{"decision": "withdrawn", "reason": "x"}`, http.StatusConflict)

	reopened := decode[caseBody](t, b.do(t, http.MethodPost, path+"/reopen", js, `{"reason": "the customer sent photos"}`, http.StatusOK))
	require.Equal(t, "open", reopened.Status)
	require.Equal(t, "disputed", b.invoiceStatus(t, f1), "held again")

	h := decode[struct {
		Entries []struct{ Action string } `json:"entries"`
	}](t, b.do(t, http.MethodGet, path+"/history", "", "", http.StatusOK))
	var actions []string
	for _, e := range h.Entries {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"case.open", "case.comment", "case.route", "case.status", "case.decide", "case.reopen", "case.history.view"}, actions)
}

func TestPartlyAcceptedDisputeRecordsTheCreditNotes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer, f1, f2 := b.caseIDs(t)
	opened := decode[struct {
		Case caseBody `json:"case"`
	}](t, b.do(t, http.MethodPost, "/api/v1/cases", "application/json",
		fmt.Sprintf(`{"type": "dispute", "customer_id": %d, "reason": "price", "invoices": [{"invoice_id": %d}, {"invoice_id": %d}]}`,
			customer, f1, f2), http.StatusCreated))
	decided := decode[struct {
		Case caseBody `json:"case"`
		Held []int64  `json:"held_invoice_ids"`
	}](t, b.do(t, http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/decide", opened.Case.ID), "application/json",
		fmt.Sprintf(`{"decision": "partly_accepted", "reason": "one line was mispriced",
		              "credit_notes": [{"invoice_id": %d, "credit_note_minor": 1200}, {"invoice_id": %d, "credit_note_minor": 0}]}`, f1, f2),
		http.StatusOK))
	require.ElementsMatch(t, []int64{f1, f2}, decided.Held)
	require.Equal(t, int64(1200), decided.Case.Invoices[0].CreditNote.Minor)
	require.Equal(t, int64(0), decided.Case.Invoices[1].CreditNote.Minor)

	// The dispute list as a download: one line per case and currency, F-1's 100.00 and F-2's 50.25 disputed.
	csv := string(b.do(t, http.MethodGet, "/api/v1/cases?type=dispute&format=csv", "", "", http.StatusOK))
	require.True(t, strings.HasPrefix(csv, "id,type,customer,entity,status,reason,department,owner,opened,sla_state,breached,decision,decided,"+
		"invoices,currency,disputed,credit_note\n"), csv)
	require.Contains(t, csv, fmt.Sprintf("%d,dispute,Boulangerie Martin,FR01,", opened.Case.ID))
	require.Contains(t, csv, ",partly_accepted,")
	require.Contains(t, csv, ",F-1 F-2,EUR,150.25,12.00\n")
	require.Equal(t, 2, strings.Count(csv, "\n"), "the header and the one dispute")
	require.Equal(t, 1, strings.Count(string(b.do(t, http.MethodGet, "/api/v1/cases?type=credit_limit_request&format=csv", "", "", http.StatusOK)), "\n"))

	f, err := excelize.OpenReader(bytes.NewReader(b.do(t, http.MethodGet, "/api/v1/cases?type=dispute&format=xlsx", "", "", http.StatusOK)))
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Disputes"}, f.GetSheetList())
	for ref, want := range map[string]string{"C2": "Boulangerie Martin", "P2": "150.25 EUR", "Q2": "12.00 EUR", "I2": time.Now().UTC().Format("2006-01-02")} {
		got, err := f.GetCellValue("Disputes", ref)
		require.NoError(t, err)
		require.Equal(t, want, got, ref)
	}
	b.do(t, http.MethodGet, "/api/v1/cases?type=dispute&format=pdf", "", "", http.StatusBadRequest)
}

func TestCaseRoutingThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seeded := decode[struct {
		Rules       []map[string]any `json:"rules"`
		Departments []map[string]any `json:"departments"`
	}](t, b.do(t, http.MethodGet, "/api/v1/case-routing", "", "", http.StatusOK))
	require.Len(t, seeded.Rules, 12) // with claim_declaration to legal (migration 00042)
	require.Len(t, seeded.Departments, 5)

	b.do(t, http.MethodPut, "/api/v1/case-routing", "application/json",
		`{"rules": [{"type": "dispute", "entity_code": "XX99", "department": "legal"}], "departments": []}`, http.StatusBadRequest)
	put := decode[struct {
		Rules []map[string]any `json:"rules"`
	}](t, b.do(t, http.MethodPut, "/api/v1/case-routing", "application/json",
		`{"rules": [{"type": "dispute", "reason": "", "entity_code": "FR01", "department": "legal", "owner_email": "alice@recoup.example"}],
		  "departments": [{"department": "legal", "manager_email": "bob@recoup.example"}]}`, http.StatusOK))
	require.Equal(t, []map[string]any{{"type": "dispute", "reason": "", "entity_code": "FR01", "department": "legal",
		"owner_email": "alice@recoup.example"}}, put.Rules)
}

// A mention reaches the user it names, who reads it.
func TestNotificationsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer, f1, _ := b.caseIDs(t)
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	opened := decode[struct {
		Case caseBody `json:"case"`
	}](t, b.do(t, http.MethodPost, "/api/v1/cases", "application/json",
		fmt.Sprintf(`{"type": "dispute", "customer_id": %d, "reason": "price", "invoices": [{"invoice_id": %d}]}`, customer, f1), http.StatusCreated))
	b.do(t, http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/comments", opened.Case.ID), "application/json",
		`{"text": "@alice@recoup.example please call them"}`, http.StatusCreated)

	type notes struct {
		Items []struct {
			ID     int64  `json:"id"`
			Kind   string `json:"kind"`
			CaseID int64  `json:"case_id"`
		} `json:"items"`
		Unread int64 `json:"unread"`
	}
	got := decode[notes](t, b.doAs(t, alice, http.MethodGet, "/api/v1/notifications?unread=true", "", "", http.StatusOK))
	require.Len(t, got.Items, 1)
	require.Equal(t, "mention", got.Items[0].Kind)
	require.Equal(t, opened.Case.ID, got.Items[0].CaseID)
	require.Equal(t, int64(1), got.Unread)
	require.Empty(t, decode[notes](t, b.do(t, http.MethodGet, "/api/v1/notifications", "", "", http.StatusOK)).Items, "the admin's own are empty")

	b.do(t, http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", got.Items[0].ID), "", "", http.StatusNotFound)
	b.doAs(t, alice, http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", got.Items[0].ID), "", "", http.StatusOK)
	require.Zero(t, decode[notes](t, b.doAs(t, alice, http.MethodGet, "/api/v1/notifications", "", "", http.StatusOK)).Unread)
	b.doAs(t, alice, http.MethodPost, "/api/v1/notifications/read-all", "", "", http.StatusOK)
}
