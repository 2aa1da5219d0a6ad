package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type outboundFixture struct {
	st      *store.Store
	ctx     context.Context
	factory *storetest.Factory
	ids     map[string]int64 // external ids and user emails → ids
}

// setupOutbound makes one entity, an agent, a sales rep, a credit manager and
// two customers with invoices.
func setupOutbound(t *testing.T) *outboundFixture {
	t.Helper()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	f := &outboundFixture{st: &store.Store{Pool: pool}, ctx: context.Background(), factory: rows, ids: map[string]int64{}}
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France SAS"})
	for _, u := range []storetest.User{
		{Email: "agent@example.com", Name: "Alice Agent", Role: domain.RoleAgent},
		{Email: "rep@example.com", Name: "Sam Rep", Role: domain.RoleSalesRep},
		{Email: "cm@example.com", Name: "Carla Manager", Role: domain.RoleCreditManager},
	} {
		f.ids[u.Email] = rows.User(t, u)
	}
	f.ids["C1"] = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C1", Name: "Dupont SARL", Category: "retail",
		Email: "compta@dupont.example", Phone: "+33612345678", TimeZone: "Pacific/Auckland",
		Agent: f.ids["agent@example.com"], SalesRep: f.ids["rep@example.com"]})
	f.ids["C2"] = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C2", Name: "Martin SA", Category: "retail", Language: "de"})

	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	today := dunning.DateOf(time.Now().UTC())
	issued, due, future := dunning.NewDate(2026, time.January, 1), today.AddDays(-10), today.AddDays(20)
	for _, in := range []storetest.Invoice{
		{ExternalID: "I1", Customer: f.ids["C1"], Number: "F-001", IssueDate: issued, DueDate: due, Amount: eur(120000), Open: eur(100000)},
		{ExternalID: "I2", Customer: f.ids["C1"], Number: "F-002", IssueDate: issued, DueDate: future, Amount: eur(5000)},
		{ExternalID: "I3", Customer: f.ids["C1"], Number: "F-003", IssueDate: issued, DueDate: due, Amount: eur(7000), Open: eur(0)},
		{ExternalID: "I4", Customer: f.ids["C2"], Number: "F-004", IssueDate: issued, DueDate: due, Amount: eur(8000)},
	} {
		f.ids[in.ExternalID] = rows.Invoice(t, in)
	}
	return f
}

func (f *outboundFixture) journal(t *testing.T, action string) []map[string]any {
	t.Helper()
	rows, err := f.st.Pool.Query(f.ctx, `SELECT after FROM audit_journal WHERE action = $1 ORDER BY id`, action)
	require.NoError(t, err)
	var out []map[string]any
	for rows.Next() {
		var b []byte
		require.NoError(t, rows.Scan(&b))
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		out = append(out, m)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestClaimMessageIsExactlyOnce(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	m := store.MessageClaim{Key: "k1", CustomerID: f.ids["C1"], WorkflowID: "wf", ScenarioID: 2, ScenarioVersion: 5,
		StepIndex: 1, Repeat: 2, Channel: "email", InvoiceIDs: []int64{f.ids["I1"], f.ids["I2"]}}

	claimed, status, err := f.st.ClaimMessage(f.ctx, m)
	require.NoError(t, err)
	require.True(t, claimed)
	require.Equal(t, domain.MessageSending, status)

	claimed, status, err = f.st.ClaimMessage(f.ctx, m)
	require.NoError(t, err)
	require.False(t, claimed)
	require.Equal(t, domain.MessageSending, status, "an attempt that died mid-send: send again")

	require.NoError(t, f.st.FinishMessage(f.ctx, "k1", domain.MessageFallback, "sms", "SM123", "email: no address", store.Entry{Actor: "wf"}))
	claimed, status, err = f.st.ClaimMessage(f.ctx, m)
	require.NoError(t, err)
	require.False(t, claimed)
	require.Equal(t, domain.MessageFallback, status)

	status, ch, ref, err := f.st.MessageStatus(f.ctx, "k1")
	require.NoError(t, err)
	require.Equal(t, []string{"fallback", "sms", "SM123"}, []string{string(status), string(ch), ref})

	j := f.journal(t, "dunning.sms.fallback")
	require.Len(t, j, 1)
	require.Equal(t, map[string]any{"key": "k1", "scenario_id": 2.0, "scenario_version": 5.0, "step_index": 1.0, "repeat": 2.0,
		"channel": "sms", "status": "fallback", "invoice_ids": []any{float64(f.ids["I1"]), float64(f.ids["I2"])},
		"provider_ref": "SM123", "detail": "email: no address"}, j[0])
	var actor, target string
	require.NoError(t, f.st.Pool.QueryRow(f.ctx, `SELECT actor, target FROM audit_journal WHERE action = 'dunning.sms.fallback'`).
		Scan(&actor, &target))
	require.Equal(t, "wf", actor)
	require.Equal(t, "customer/"+jsonNum(f.ids["C1"]), target)

	// A second finish (a concurrent attempt) changes nothing and journals nothing.
	require.NoError(t, f.st.FinishMessage(f.ctx, "k1", domain.MessageSent, "email", "x", "", store.Entry{}))
	status, _, _, err = f.st.MessageStatus(f.ctx, "k1")
	require.NoError(t, err)
	require.Equal(t, domain.MessageFallback, status)
	require.Empty(t, f.journal(t, "dunning.email.sent"))
}

func TestClaimAndFinishErrors(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	_, _, err := f.st.ClaimMessage(f.ctx, store.MessageClaim{Key: "k", CustomerID: 999999, Channel: "email"})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	err = f.st.FinishMessage(f.ctx, "never", domain.MessageSent, "", "", "", store.Entry{})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	err = f.st.FinishMessage(f.ctx, "never", domain.MessageSending, "", "", "", store.Entry{})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
}

func TestCreateTaskResolvesAssigneeAndIsIdempotent(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	due := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		key, customer string
		role          domain.Assignee
		want          *int64
	}{
		{"t-agent", "C1", "agent", ptr(f.ids["agent@example.com"])},
		{"t-rep", "C1", "sales_rep", ptr(f.ids["rep@example.com"])},
		{"t-cm", "C1", "credit_manager", ptr(f.ids["cm@example.com"])},
		{"t-legal", "C1", "legal", nil},
		{"t-noagent", "C2", "agent", nil},
	}
	for _, c := range cases {
		task := store.Task{Key: c.key, CustomerID: f.ids[c.customer], Kind: domain.TaskEscalation, AssigneeRole: c.role,
			InvoiceIDs: []int64{f.ids["I1"]}, DueAt: due, Note: "n"}
		id, created, err := f.st.CreateTask(f.ctx, task)
		require.NoError(t, err)
		require.True(t, created)
		again, created, err := f.st.CreateTask(f.ctx, task)
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, id, again)
		var assignee *int64
		var at time.Time
		require.NoError(t, f.st.Pool.QueryRow(f.ctx, `SELECT assignee_id, due_at FROM tasks WHERE id = $1`, id).Scan(&assignee, &at))
		require.Equal(t, c.want, assignee, c.key)
		require.True(t, due.Equal(at))
	}
	require.Len(t, f.journal(t, "task.create"), len(cases))

	// A second credit manager: no obvious one, the task waits in the role's queue.
	f.factory.User(t, storetest.User{Email: "cm2@example.com", Name: "Other", Role: domain.RoleCreditManager})
	id, _, err := f.st.CreateTask(f.ctx, store.Task{Key: "t-cm2", CustomerID: f.ids["C1"], Kind: domain.TaskEscalation,
		AssigneeRole: "credit_manager", DueAt: due})
	require.NoError(t, err)
	var assignee *int64
	require.NoError(t, f.st.Pool.QueryRow(f.ctx, `SELECT assignee_id FROM tasks WHERE id = $1`, id).Scan(&assignee))
	require.Nil(t, assignee)

	_, _, err = f.st.CreateTask(f.ctx, store.Task{Key: "t-x", CustomerID: 999999, Kind: domain.TaskCall, AssigneeRole: "agent", DueAt: due})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, _, err = f.st.CreateTask(f.ctx, store.Task{Key: "t-y", CustomerID: f.ids["C1"], Kind: "dance", AssigneeRole: "agent", DueAt: due})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
}

func TestPutOnHoldKeepsFirstSince(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	id := f.ids["C1"]
	require.NoError(t, f.st.PutOnHold(f.ctx, id, 0, "k-hold", "wf"))
	var first time.Time
	var on bool
	require.NoError(t, f.st.Pool.QueryRow(f.ctx, `SELECT on_hold, on_hold_since FROM customers WHERE id = $1`, id).Scan(&on, &first))
	require.True(t, on)
	require.NoError(t, f.st.PutOnHold(f.ctx, id, 0, "k-hold-2", "wf"))
	var second time.Time
	require.NoError(t, f.st.Pool.QueryRow(f.ctx, `SELECT on_hold_since FROM customers WHERE id = $1`, id).Scan(&second))
	require.True(t, first.Equal(second), "on_hold_since keeps the first time")
	j := f.journal(t, "customer.credit_hold")
	require.Len(t, j, 1, "journaled when the account goes on hold")
	require.Equal(t, "k-hold", j[0]["key"])
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(f.st.PutOnHold(f.ctx, 999999, 0, "k", "wf")))
}

func TestMessageContextHasOnlyOpenInvoices(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	// I3 is paid, I4 belongs to another customer.
	mc, err := f.st.MessageContext(f.ctx, f.ids["C1"], []int64{f.ids["I2"], f.ids["I3"], f.ids["I4"], f.ids["I1"]})
	require.NoError(t, err)
	require.Equal(t, store.MessageCustomer{ID: f.ids["C1"], ExternalID: "C1", Name: "Dupont SARL", Email: "compta@dupont.example",
		Phone: "+33612345678", Language: "fr", TimeZone: "Pacific/Auckland", Undeliverable: []string{}}, mc.Customer)
	require.Equal(t, store.MessageEntity{Name: "Recoup France SAS", Country: "FR", Language: "fr",
		EntitySender: store.EntitySender{ReplyPauseDays: 3}}, mc.Entity)
	require.Equal(t, []string{"Alice Agent", "agent@example.com"}, []string{mc.AgentName, mc.AgentEmail})
	require.Len(t, mc.Invoices, 2)
	eur := money.MustCurrency("EUR")
	first := mc.Invoices[0]
	require.Equal(t, []any{f.ids["I1"], "F-001", money.Money{Minor: 120000, Currency: eur}, money.Money{Minor: 100000, Currency: eur}},
		[]any{first.ID, first.Number, first.Amount, first.Open})
	// Overdue days count in the customer's zone (Auckland is ahead of UTC).
	tz, err := time.LoadLocation("Pacific/Auckland")
	require.NoError(t, err)
	y, m, d := time.Now().In(tz).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	require.Equal(t, int(today.Sub(first.DueDate).Hours()/24), first.DaysOverdue)
	require.Less(t, mc.Invoices[1].DaysOverdue, 0, "not yet due")
	require.Equal(t, 2026, first.IssueDate.Year())

	mc, err = f.st.MessageContext(f.ctx, f.ids["C1"], []int64{f.ids["I3"]})
	require.NoError(t, err)
	require.Empty(t, mc.Invoices, "paid since the plan")

	_, err = f.st.MessageContext(f.ctx, 999999, nil)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

func ptr(n int64) *int64 { return &n }

func jsonNum(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestCallStepsJoinTheAccountsOpenCallTask(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	early, late := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	call := func(key string, invoice string, due time.Time, role domain.Assignee) store.Task {
		return store.Task{Key: key, CustomerID: f.ids["C1"], Kind: domain.TaskCall, AssigneeRole: role,
			InvoiceIDs: []int64{f.ids[invoice]}, DueAt: due, Note: key, MergeCall: true}
	}
	first, created, err := f.st.CreateTask(f.ctx, call("step-a", "I2", late, domain.AssigneeAgent))
	require.NoError(t, err)
	require.True(t, created)
	tests := []struct {
		name    string
		task    store.Task
		joins   bool
		invoice []int64
	}{
		{"a second call step for the same agent joins the open call", call("step-b", "I1", early, domain.AssigneeAgent), true,
			[]int64{f.ids["I1"], f.ids["I2"]}},
		{"its retry changes nothing", call("step-b", "I1", early, domain.AssigneeAgent), true, []int64{f.ids["I1"], f.ids["I2"]}},
		{"a call for someone else is a task of its own", call("step-c", "I1", early, domain.AssigneeSalesRep), false, nil},
	}
	for _, tt := range tests {
		id, created, err := f.st.CreateTask(f.ctx, tt.task)
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.joins, id == first && !created, tt.name)
		if tt.joins {
			var invoices []int64
			var due time.Time
			require.NoError(t, f.st.Pool.QueryRow(f.ctx, `SELECT invoice_ids, due_at FROM tasks WHERE id = $1`, first).Scan(&invoices, &due))
			require.Equal(t, tt.invoice, invoices, tt.name)
			require.True(t, early.Equal(due), "%s: the earlier due time is kept", tt.name)
		}
	}
	var open int
	require.NoError(t, f.st.Pool.QueryRow(f.ctx, `SELECT count(*) FROM tasks WHERE customer_id = $1 AND kind = 'call' AND status = 'open'`,
		f.ids["C1"]).Scan(&open))
	require.Equal(t, 2, open, "one for the agent, one for the sales rep")
	require.Len(t, f.journal(t, "task.merge"), 2)

	// Once the agent closes it, the next call step makes a new task.
	_, err = f.st.Pool.Exec(f.ctx, `UPDATE tasks SET status = 'done', closed_at = now() WHERE id = $1`, first)
	require.NoError(t, err)
	next, created, err := f.st.CreateTask(f.ctx, call("step-d", "I1", early, domain.AssigneeAgent))
	require.NoError(t, err)
	require.True(t, created)
	require.NotEqual(t, first, next)
}
