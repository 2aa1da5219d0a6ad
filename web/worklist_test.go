package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

func TestWorklistShowsTasksAndClosesThem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	customer := b.rows.Customer(t, storetest.Customer{Name: "<script>alert(1)</script> SARL", Agent: userID(t, b, "alice@example.com")})
	ctx := context.Background()
	late, _, err := b.store.CreateTask(ctx, store.Task{Key: "late", CustomerID: customer, Kind: domain.TaskCall, AssigneeRole: "agent",
		DueAt: time.Now().Add(-time.Hour), Note: "call <b>them</b>", Actor: "test"})
	require.NoError(t, err)
	_, _, err = b.store.CreateTask(ctx, store.Task{Key: "later", CustomerID: customer, Kind: domain.TaskCall, AssigneeRole: "agent",
		DueAt: time.Now().Add(48 * time.Hour), Note: "call again", Actor: "test"})
	require.NoError(t, err)

	status, body := agent.get("/worklist")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 tasks")
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt; SARL", "names are escaped")
	require.Contains(t, body, "call &lt;b&gt;them&lt;/b&gt;", "notes are escaped")
	require.NotContains(t, body, "<script>alert(1)")

	_, body = agent.get("/worklist?overdue=1")
	require.Contains(t, body, "1 tasks")
	require.Contains(t, body, "call &lt;b&gt;them")
	require.NotContains(t, body, "call again")

	res := agent.post("/tasks/"+itoa(late)+"/close", url.Values{"resolution": {"promised to pay Friday"}, "back": {"/worklist"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/worklist", res.Header.Get("Location"))
	_, body = agent.get("/worklist")
	require.Contains(t, body, "Task "+itoa(late)+" closed.", "the confirmation shows once")
	require.Contains(t, body, "1 tasks")
	_, body = agent.get("/worklist?status=done")
	require.Contains(t, body, "promised to pay Friday")

	res = agent.post("/tasks/"+itoa(late)+"/close", url.Values{"resolution": {"again"}})
	require.Equal(t, http.StatusConflict, res.StatusCode, "a closed task cannot be closed again")
}

func TestWorklistRefusesWhatTheRoleMayNotDo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer := b.rows.Customer(t, storetest.Customer{})
	id, _, err := b.store.CreateTask(context.Background(), store.Task{Key: "k", CustomerID: customer, Kind: domain.TaskCall,
		AssigneeRole: "agent", DueAt: time.Now(), Note: "n", Actor: "test"})
	require.NoError(t, err)
	auditor := b.signIn(t, "ingrid@example.com", domain.RoleAuditor)
	status, body := auditor.get("/worklist?scope=team")
	require.Equal(t, http.StatusOK, status, "an auditor reads work lists")
	require.NotContains(t, body, `action="/tasks/`, "but sees no close button")
	res := auditor.post("/tasks/"+itoa(id)+"/close", url.Values{"resolution": {"x"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "and the server refuses it anyway")

	rep := b.signIn(t, "marc@example.com", domain.RoleSalesRep)
	res = rep.post("/tasks/"+itoa(id)+"/close", url.Values{"resolution": {"x"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode, "a task outside the sales rep's customers is not found")
}

// The open tasks come by priority, each with why; an agent takes one and
// records an outcome with the form, whose errors show next to the field.
func TestWorklistRanksAndCompletes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	alice := userID(t, b, "alice@example.com")
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	today := dunning.DateOf(time.Now().In(paris)) // the customers' date: days overdue are counted in it
	small := b.rows.Customer(t, storetest.Customer{Name: "Small debts", Agent: alice})
	big := b.rows.Customer(t, storetest.Customer{Name: "Big debts", Agent: alice, RiskClass: "high"})
	eur := money.MustCurrency("EUR")
	b.rows.Invoice(t, storetest.Invoice{Customer: small, IssueDate: today.AddDays(-30), DueDate: today.AddDays(-5), Amount: money.Money{Minor: 1000, Currency: eur}})
	b.rows.Invoice(t, storetest.Invoice{Customer: big, IssueDate: today.AddDays(-90), DueDate: today.AddDays(-60), Amount: money.Money{Minor: 5000000, Currency: eur}})
	task := func(key string, customer int64) int64 {
		id, _, err := b.store.CreateTask(ctx, store.Task{Key: key, CustomerID: customer, Kind: domain.TaskCall, AssigneeRole: "agent",
			DueAt: time.Now().Add(-time.Hour), Note: "call " + key, Actor: "test"})
		require.NoError(t, err)
		return id
	}
	smallTask, bigTask := task("small", small), task("big", big)
	_, err = b.store.Pool.Exec(ctx, `UPDATE tasks SET assignee_id = NULL WHERE id = $1`, smallTask)
	require.NoError(t, err)

	status, body := agent.get("/worklist?scope=team")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "highest priority first")
	atBig, atSmall := strings.Index(body, "Big debts"), strings.Index(body, "Small debts")
	require.True(t, atBig >= 0 && atSmall >= 0, "both tasks listed")
	require.Less(t, atBig, atSmall, "the larger, older, riskier debt first")
	require.Contains(t, body, "60 days overdue")
	require.Contains(t, body, "risk high")
	require.Contains(t, body, `action="/tasks/`+itoa(smallTask)+`/claim"`, "an unassigned task can be taken")
	require.NotContains(t, body, `action="/tasks/`+itoa(bigTask)+`/claim"`, "one's own task needs no taking")

	res := agent.post("/tasks/"+itoa(smallTask)+"/claim", url.Values{"back": {"/worklist?scope=team"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/worklist?scope=team", res.Header.Get("Location"))
	_, body = agent.get("/worklist")
	require.Contains(t, body, "Task "+itoa(smallTask)+" is yours.")
	require.Contains(t, body, "2 tasks", "both are the agent's now")

	tests := []struct {
		name  string
		form  url.Values
		field string // the field whose message shows; "" for a success
	}{
		{"no outcome", url.Values{}, "Choose an outcome."},
		{"a callback without a time", url.Values{"outcome": {"callback"}}, "Give a time to come, within a year, to call back."},
		{"a callback at a nonsense time", url.Values{"outcome": {"callback"}, "callback_at": {"tomorrow"}}, "Give a time to come, within a year, to call back."},
		{"a paid claim without a reference", url.Values{"outcome": {"paid_claimed"}, "paid_on": {today.String()}}, "Give the payment&#39;s reference"},
		{"a dispute without a note", url.Values{"outcome": {"dispute"}, "note": {"  "}}, "Write what the customer said"},
	}
	for _, tt := range tests {
		tt.form.Set("back", "/worklist?kind=call")
		res := agent.post("/tasks/"+itoa(bigTask)+"/complete", tt.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tt.name)
		page := readBody(t, res)
		require.Contains(t, page, `<p class="field-error">`+tt.field, tt.name)
		require.Contains(t, page, "Task "+itoa(bigTask)+" was not completed", tt.name)
	}

	res = agent.post("/tasks/"+itoa(bigTask)+"/complete", url.Values{"outcome": {"other"}, "note": {"<script>alert(1)</script> will pay"}, "back": {"/worklist"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/worklist?status=done")
	require.Contains(t, body, "other: &lt;script&gt;alert(1)&lt;/script&gt; will pay")

	res = agent.post("/tasks/"+itoa(smallTask)+"/complete", url.Values{"outcome": {"callback"}, "callback_at": {time.Now().Add(72 * time.Hour).Format("2006-01-02T15:04")},
		"tz": {"Europe/Paris"}, "back": {"/worklist"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/worklist")
	require.Contains(t, body, "completed: Call back.")
	require.Contains(t, body, "call back as agreed", "the new call task")

	auditor := b.signIn(t, "ingrid@example.com", domain.RoleAuditor)
	_, body = auditor.get("/worklist?scope=team")
	require.NotContains(t, body, `/complete"`, "an auditor sees no completion form")
	res = auditor.post("/tasks/"+itoa(smallTask)+"/complete", url.Values{"outcome": {"other"}, "note": {"x"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = auditor.post("/tasks/"+itoa(smallTask)+"/claim", url.Values{})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	rep := b.signIn(t, "marc@example.com", domain.RoleSalesRep)
	res = rep.post("/tasks/"+itoa(smallTask)+"/claim", url.Values{})
	require.Equal(t, http.StatusNotFound, res.StatusCode, "outside the sales rep's customers")
}

// The completion form records a promise made on the call: refused, the task
// stays open and the message shows next to the field; accepted, the account
// page lists the promise.
func TestWorklistCompletesWithAPromise(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	alice := userID(t, b, "alice@example.com")
	ctx := context.Background()
	today := dunning.DateOf(time.Now().UTC())
	customer := b.rows.Customer(t, storetest.Customer{Name: "Promising SA", Agent: alice})
	eur := money.MustCurrency("EUR")
	inv := b.rows.Invoice(t, storetest.Invoice{Customer: customer, IssueDate: today.AddDays(-40), DueDate: today.AddDays(-10),
		Amount: money.Money{Minor: 250000, Currency: eur}})
	id, _, err := b.store.CreateTask(ctx, store.Task{Key: "call", CustomerID: customer, Kind: domain.TaskCall, AssigneeRole: "agent",
		InvoiceIDs: []int64{inv}, DueAt: time.Now().Add(-time.Hour), Note: "call", Actor: "test"})
	require.NoError(t, err)

	_, body := agent.get("/worklist")
	require.Contains(t, body, `<option value="promise">Promise to pay</option>`)
	require.Contains(t, body, `name="promise_date"`)
	require.Contains(t, body, "This task&#39;s invoices (1)")

	date := today.AddDays(7).String()
	tests := []struct {
		name    string
		form    url.Values
		message string
	}{
		{"no amount", url.Values{"promise_date": {date}}, "Give the amount promised"},
		{"more than is owed", url.Values{"amount": {"2 600,00"}, "promise_date": {date}}, "Give the amount promised"},
		{"a past date", url.Values{"amount": {"100"}, "promise_date": {today.AddDays(-2).String()}}, "Give the date the customer will pay by"},
	}
	for _, tt := range tests {
		tt.form.Set("outcome", "promise")
		tt.form.Set("currency", "EUR")
		res := agent.post("/tasks/"+itoa(id)+"/complete", tt.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tt.name)
		require.Contains(t, readBody(t, res), `<p class="field-error">`+tt.message, tt.name)
	}

	res := agent.post("/tasks/"+itoa(id)+"/complete", url.Values{"outcome": {"promise"}, "currency": {"EUR"}, "amount": {"1 500,50"},
		"promise_date": {date}, "promise_invoices": {"task"}, "task_invoice_ids": {itoa(inv)}, "note": {"pays after the board meets"},
		"back": {"/worklist"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/worklist")
	require.Contains(t, body, "completed: Promise to pay.")
	_, body = agent.get("/accounts/" + itoa(customer))
	require.Contains(t, body, "1,500.50")
	require.Contains(t, body, "pays after the board meets")
}
