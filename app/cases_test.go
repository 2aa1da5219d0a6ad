package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/importer"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// casesBundle: Sam is the sales rep and Alex the agent of one customer (two open invoices), not
// of another; no Temporal, so decisions are written directly (the path when
// no workflow runs).
type casesBundle struct {
	a                     *app.App
	st                    *store.Store
	admin, sam, cm, agent domain.Principal
	auditor, logistics    domain.Principal
	customer, other       int64
	first, second         int64
}

func setupCases(t *testing.T) casesBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	samID := rows.User(t, storetest.User{Email: "sam@example.com", Role: domain.RoleSalesRep})
	rows.User(t, storetest.User{Email: "lea@example.com", Role: domain.RoleDepartment})
	agentID := rows.User(t, storetest.User{Email: "agent@example.com", Role: domain.RoleAgent})
	b := casesBundle{a: app.New(st, nil, nil), st: st,
		admin:     domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true},
		sam:       domain.Principal{UserID: samID, Role: domain.RoleSalesRep, Email: "sam@example.com", AllEntities: true},
		cm:        domain.Principal{Role: domain.RoleCreditManager, Email: "cm@example.com", AllEntities: true},
		agent:     domain.Principal{Role: domain.RoleAgent, Email: "agent@example.com", AllEntities: true, UserID: agentID},
		auditor:   domain.Principal{Role: domain.RoleAuditor, Email: "audit@example.com", AllEntities: true},
		logistics: domain.Principal{Role: domain.RoleDepartment, Department: domain.DepartmentLogistics, Email: "lea@example.com", AllEntities: true},
	}
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	b.customer = rows.Customer(t, storetest.Customer{SalesRep: samID, Agent: agentID})
	b.other = rows.Customer(t, storetest.Customer{})
	b.first = rows.Invoice(t, storetest.Invoice{Customer: b.customer, Amount: eur(10_000)})
	b.second = rows.Invoice(t, storetest.Invoice{Customer: b.customer, Amount: eur(20_000)})
	return b
}

func (b casesBundle) dispute(t *testing.T, who domain.Principal, reason string, invoices ...int64) app.OpenedCase {
	t.Helper()
	req := app.CaseRequest{Type: "dispute", CustomerID: b.customer, Reason: reason}
	for _, id := range invoices {
		req.Invoices = append(req.Invoices, store.NewCaseInvoice{InvoiceID: id})
	}
	k, err := b.a.OpenCase(context.Background(), who, req)
	require.NoError(t, err)
	return k
}

// requireInvalid says err is invalid input naming each field.
func requireInvalid(t *testing.T, err error, name string, fields ...string) {
	t.Helper()
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), name)
	for _, f := range fields {
		require.Contains(t, err.Error(), f+": ", name)
	}
}

func TestOpenCaseSaysWhatIsWrongWithTheRequest(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	limit := int64(-1)
	for _, tc := range []struct {
		name  string
		req   app.CaseRequest
		field string
	}{
		{"no type", app.CaseRequest{CustomerID: b.customer}, "type"},
		{"unknown type", app.CaseRequest{Type: "complaint", CustomerID: b.customer}, "type"},
		{"no customer", app.CaseRequest{Type: "customer_message", Description: "hello"}, "customer_id"},
		{"a dispute without reason", app.CaseRequest{Type: "dispute", CustomerID: b.customer, Invoices: []store.NewCaseInvoice{{InvoiceID: b.first}}}, "reason"},
		{"a dispute with an unknown reason", app.CaseRequest{Type: "dispute", CustomerID: b.customer, Reason: "mood", Invoices: []store.NewCaseInvoice{{InvoiceID: b.first}}}, "reason"},
		{"a dispute without invoices", app.CaseRequest{Type: "dispute", CustomerID: b.customer, Reason: "price"}, "invoices"},
		{"a negative disputed amount", app.CaseRequest{Type: "dispute", CustomerID: b.customer, Reason: "price", Invoices: []store.NewCaseInvoice{{InvoiceID: b.first, DisputedMinor: -5}}}, "invoices"},
		{"a credit limit without the limit", app.CaseRequest{Type: "credit_limit_request", CustomerID: b.customer, Justification: "growth"}, "new_limit_minor"},
		{"a negative credit limit", app.CaseRequest{Type: "credit_limit_request", CustomerID: b.customer, NewLimitMinor: &limit, Justification: "growth"}, "new_limit_minor"},
		{"a credit limit without justification", app.CaseRequest{Type: "credit_limit_request", CustomerID: b.customer, NewLimitMinor: new(int64)}, "justification"},
		{"a data change of an unknown field", app.CaseRequest{Type: "data_change_request", CustomerID: b.customer, Field: "mood", Value: "x"}, "field"},
		{"a request naming invoices", app.CaseRequest{Type: "customer_message", CustomerID: b.customer, Description: "hi", Invoices: []store.NewCaseInvoice{{InvoiceID: b.first}}}, "invoices"},
		{"an empty customer message", app.CaseRequest{Type: "customer_message", CustomerID: b.customer}, "description"},
	} {
		_, err := b.a.OpenCase(context.Background(), b.admin, tc.req)
		requireInvalid(t, err, tc.name, tc.field)
	}
}

func TestWhoOpensAndSeesCases(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	k := b.dispute(t, b.sam, "quality", b.first) // routed to logistics by the seeded table
	require.Equal(t, "sales", k.Source)
	require.Equal(t, "this process has no Temporal connection", k.Started)

	_, err := b.a.OpenCase(ctx, b.sam, app.CaseRequest{Type: "customer_message", CustomerID: b.other, Description: "hi"})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "not Sam's customer")
	_, err = b.a.OpenCase(ctx, b.auditor, app.CaseRequest{Type: "customer_message", CustomerID: b.customer, Description: "hi"})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err), "auditors read")

	price := b.dispute(t, b.admin, "price", b.second) // routed to sales
	list, total, err := b.a.Cases(ctx, b.logistics, app.CaseQuery{Page: domain.Page{Limit: 10}})
	require.NoError(t, err)
	require.Equal(t, int64(1), total, "a department sees the cases routed to it")
	require.Equal(t, k.ID, list[0].ID)
	_, err = b.a.Case(ctx, b.logistics, price.ID)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, _, err = b.a.Cases(ctx, b.auditor, app.CaseQuery{SLA: "late", Page: domain.Page{Limit: 10}})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
	_, total, err = b.a.Cases(ctx, b.auditor, app.CaseQuery{Department: "sales", Page: domain.Page{Limit: 10}})
	require.NoError(t, err)
	require.Equal(t, int64(1), total)

	_, err = b.a.CommentCase(ctx, b.logistics, k.ID, app.CommentRequest{Text: "we are checking the batch"})
	require.NoError(t, err, "a department acts on the cases routed to it")
	_, err = b.a.DecideCase(ctx, b.logistics, price.ID, app.DecideRequest{Decision: "rejected", Reason: "x"})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "and only on those")
	_, err = b.a.DecideCase(ctx, b.sam, k.ID, app.DecideRequest{Decision: "rejected", Reason: "x"})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err), "sales reps open and comment, they do not decide")
}

func TestCommentsFindMentionsAndRefuseUnknownUsers(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	k := b.dispute(t, b.admin, "quality", b.first)
	cm, err := b.a.CommentCase(ctx, b.sam, k.ID, app.CommentRequest{Text: "  @lea@example.com can you check? cc @SAM@example.com. "})
	require.NoError(t, err)
	require.Equal(t, []string{"lea@example.com", "sam@example.com"}, cm.Mentions)
	require.Equal(t, "@lea@example.com can you check? cc @SAM@example.com.", cm.Body)

	_, err = b.a.CommentCase(ctx, b.sam, k.ID, app.CommentRequest{Text: "hello", Mentions: []string{"@nobody@example.com"}})
	requireInvalid(t, err, "an unknown user", "mentions")
	_, err = b.a.CommentCase(ctx, b.sam, k.ID, app.CommentRequest{Text: "   "})
	requireInvalid(t, err, "an empty comment", "text")

	d, err := b.a.Case(ctx, b.auditor, k.ID)
	require.NoError(t, err)
	require.Len(t, d.Comments, 1, "everyone with access sees the discussion")
	require.Nil(t, d.Live)
	require.NotEmpty(t, d.LiveError)
}

func TestDecideCaseWithoutAWorkflow(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	k := b.dispute(t, b.admin, "price", b.first, b.second)

	for _, tc := range []struct {
		name  string
		req   app.DecideRequest
		field string
	}{
		{"no decision", app.DecideRequest{Reason: "x"}, "decision"},
		{"not a dispute's decision", app.DecideRequest{Decision: "approved", Reason: "x"}, "decision"},
		{"no reason", app.DecideRequest{Decision: "rejected"}, "reason"},
		{"partly accepted without every credit note", app.DecideRequest{Decision: "partly_accepted", Reason: "x",
			CreditNotes: []app.CreditNote{{InvoiceID: b.first, Minor: 100}}}, "credit_notes"},
		{"a credit note above what is disputed", app.DecideRequest{Decision: "partly_accepted", Reason: "x",
			CreditNotes: []app.CreditNote{{InvoiceID: b.first, Minor: 100}, {InvoiceID: b.second, Minor: 20_001}}}, "credit_notes"},
		{"credit notes on a rejection", app.DecideRequest{Decision: "rejected", Reason: "x",
			CreditNotes: []app.CreditNote{{InvoiceID: b.first, Minor: 100}}}, "credit_notes"},
	} {
		_, err := b.a.DecideCase(ctx, b.cm, k.ID, tc.req)
		requireInvalid(t, err, tc.name, tc.field)
	}

	out, err := b.a.DecideCase(ctx, b.cm, k.ID, app.DecideRequest{Decision: "partly_accepted", Reason: "the price was wrong on one line",
		CreditNotes: []app.CreditNote{{InvoiceID: b.first, Minor: 1_500}, {InvoiceID: b.second, Minor: 0}}})
	require.NoError(t, err)
	require.ElementsMatch(t, []int64{b.first, b.second}, out.Held)
	_, err = b.a.DecideCase(ctx, b.cm, k.ID, app.DecideRequest{Decision: "rejected", Reason: "x"})
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))

	reopened, err := b.a.ReopenCase(ctx, b.agent, k.ID, app.ReopenRequest{Reason: "the customer disagrees"})
	require.NoError(t, err)
	require.Equal(t, domain.CaseOpen, reopened.Status)
	rejected, err := b.a.DecideCase(ctx, b.cm, k.ID, app.DecideRequest{Decision: "rejected", Reason: "the price list applies"})
	require.NoError(t, err)
	require.ElementsMatch(t, []int64{b.first, b.second}, rejected.Resumed)
	require.False(t, rejected.CustomerEmailed, "no Temporal here: no email")
	require.Contains(t, rejected.CustomerTold, "not emailed", "and it says so")
}

func TestOnlyCreditManagersDecideCreditLimits(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	limit := int64(750_000)
	k, err := b.a.OpenCase(ctx, b.sam, app.CaseRequest{Type: "credit_limit_request", CustomerID: b.customer, NewLimitMinor: &limit,
		Justification: "a new framework contract"})
	require.NoError(t, err)
	_, err = b.a.DecideCase(ctx, b.agent, k.ID, app.DecideRequest{Decision: "approved", Reason: "ok"})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))
	out, err := b.a.DecideCase(ctx, b.cm, k.ID, app.DecideRequest{Decision: "approved", Reason: "ok"})
	require.NoError(t, err)
	require.Equal(t, limit, *out.CreditLimit)
}

func TestRouteCaseAndTheRoutingTable(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	k := b.dispute(t, b.admin, "price", b.first)
	require.Equal(t, domain.DepartmentSales, k.Department)

	_, err := b.a.RouteCase(ctx, b.agent, k.ID, app.RouteRequest{Department: "kitchen", Reason: ""})
	requireInvalid(t, err, "an unknown department, no reason", "department", "reason")
	routed, err := b.a.RouteCase(ctx, b.agent, k.ID, app.RouteRequest{Department: "logistics", OwnerEmail: "Lea@example.com",
		Reason: "the price is right, the delivery was short"})
	require.NoError(t, err)
	require.Equal(t, domain.DepartmentLogistics, routed.Department)
	require.Equal(t, "lea@example.com", routed.OwnerEmail)
	h, err := b.a.CaseHistory(ctx, b.auditor, k.ID)
	require.NoError(t, err)
	var actions []string
	for _, e := range h.Entries {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"case.open", "case.route", "case.history.view"}, actions, "the read is journaled, this one included")

	_, err = b.a.ReplaceCaseRouting(ctx, b.agent, store.CaseRouting{})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))
	_, err = b.a.ReplaceCaseRouting(ctx, b.cm, store.CaseRouting{Rules: []store.CaseRoutingRule{
		{Type: "dispute", Reason: "mood", Department: "sales"}, {Type: "dispute", Department: "kitchen"}}})
	requireInvalid(t, err, "a bad table", "rules[0].reason", "rules[1].department")
	r, err := b.a.ReplaceCaseRouting(ctx, b.cm, store.CaseRouting{
		Rules:       []store.CaseRoutingRule{{Type: "dispute", Department: "legal", OwnerEmail: "lea@example.com"}},
		Departments: []store.CaseDepartment{{Department: "legal", ManagerEmail: "sam@example.com"}}})
	require.NoError(t, err)
	require.Equal(t, []store.CaseRoutingRule{{Type: "dispute", Department: "legal", OwnerEmail: "lea@example.com"}}, r.Rules)
	next := b.dispute(t, b.admin, "quality", b.second)
	require.Equal(t, domain.DepartmentLegal, next.Department)
	require.Equal(t, "lea@example.com", next.OwnerEmail)
}

// An accepted dispute holds its invoice until the ERP's credit note changes
// its open amount: the import that brings it lifts that hold, and no other.
func TestAcceptedDisputeWaitsForItsCreditNote(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	k := b.dispute(t, b.admin, "price", b.first)
	_, err := b.a.DecideCase(ctx, b.cm, k.ID, app.DecideRequest{Decision: "accepted", Reason: "the price list was wrong"})
	require.NoError(t, err)
	_, err = b.st.HoldInvoice(ctx, store.HoldWrite{CustomerID: b.customer, InvoiceID: b.second, Reason: "checking a payment",
		By: "agent@example.com", Key: "manual-hold"})
	require.NoError(t, err)

	line := func(id int64, open string) string {
		var ext, cust, number, cur string
		var issue, due time.Time
		var amount int64
		require.NoError(t, b.st.Pool.QueryRow(ctx, `
SELECT i.external_id, c.external_id, i.number, i.issue_date, i.due_date, i.currency, i.amount_minor
FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = $1`, id).Scan(&ext, &cust, &number, &issue, &due, &cur, &amount))
		return fmt.Sprintf("%s,%s,%s,invoice,%s,%s,%s,%d.00,%s\n", ext, cust, number, issue.Format(time.DateOnly), due.Format(time.DateOnly),
			cur, amount/100, open)
	}
	// The ERP sends the first invoice credited (nothing left open) and the second unchanged.
	csv := "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
		line(b.first, "0.00") + line(b.second, "200.00")
	res, err := b.a.Import(ctx, b.admin, app.ImportRequest{Kind: "invoices", Format: importer.CSV, Name: "erp.csv", Body: strings.NewReader(csv)})
	require.NoError(t, err)
	require.Zero(t, res.Rejected, "%+v", res.Rejections)

	holds, err := b.st.InvoiceHolds(ctx, b.customer)
	require.NoError(t, err)
	require.Contains(t, holds, b.second, "another hold stays")
	require.NotContains(t, holds, b.first, "the credit note is in: the acceptance's hold is lifted")
}
