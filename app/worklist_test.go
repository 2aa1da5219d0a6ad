package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type deskBundle struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	rows    *storetest.Factory
	app     *app.App
	store   *store.Store
	agent   domain.Principal
	other   domain.Principal
	manager domain.Principal
	today   dunning.Date
	n       int
}

func setupDesk(t *testing.T) *deskBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	b := &deskBundle{ctx: context.Background(), pool: pool, rows: storetest.NewFactory(pool), store: st,
		app: app.New(st, nil, nil), today: parisToday()}
	b.agent = b.user(t, domain.RoleAgent, "agent@example.com")
	b.other = b.user(t, domain.RoleAgent, "other@example.com")
	b.manager = b.user(t, domain.RoleCreditManager, "manager@example.com")
	return b
}

func (b *deskBundle) user(t *testing.T, role domain.Role, email string) domain.Principal {
	id := b.rows.User(t, storetest.User{Email: email, Role: role})
	return domain.Principal{UserID: id, Email: email, Role: role, AllEntities: true}
}

// customer makes a customer of agent owing overdue (in its currency) since 10 days.
func (b *deskBundle) customer(t *testing.T, name string, agent domain.Principal, overdue money.Money, risk string) int64 {
	t.Helper()
	c := b.rows.Customer(t, storetest.Customer{Name: name, Currency: overdue.Currency, RiskClass: risk, Agent: agent.UserID, Country: "FR"})
	if overdue.Minor > 0 {
		b.rows.Invoice(t, storetest.Invoice{Customer: c, IssueDate: b.today.AddDays(-40), DueDate: b.today.AddDays(-10), Amount: overdue})
	}
	return c
}

// task makes an open call task for the customer's agent, due at due.
func (b *deskBundle) task(t *testing.T, customer int64, due time.Time) int64 {
	t.Helper()
	b.n++
	var invoices []int64
	rows, err := b.pool.Query(b.ctx, `SELECT id FROM invoices WHERE customer_id = $1 ORDER BY id`, customer)
	require.NoError(t, err)
	invoices, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	id, _, err := b.store.CreateTask(b.ctx, store.Task{Key: fmt.Sprintf("test/%d", b.n), CustomerID: customer, Kind: domain.TaskCall,
		AssigneeRole: domain.AssigneeAgent, InvoiceIDs: invoices, DueAt: due, Note: "call"})
	require.NoError(t, err)
	return id
}

func (b *deskBundle) rate(t *testing.T, on dunning.Date, from, to, rate string) {
	t.Helper()
	_, err := b.pool.Exec(b.ctx, `INSERT INTO exchange_rates (rate_date, from_currency, to_currency, rate) VALUES ($1::date, $2, $3, $4::numeric)`,
		on.String(), from, to, rate)
	require.NoError(t, err)
}

func amount(code string, major int64) money.Money {
	c := money.MustCurrency(code)
	m := major
	for range c.Exponent() {
		m *= 10
	}
	return money.Money{Minor: m, Currency: c}
}

// The worklist ranks by the documented score, and each row says why.
// parisToday is the date of the factory's customers (Europe/Paris): days
// overdue count on the customer's clock, which is a day ahead of UTC late in
// the UTC evening.
func parisToday() dunning.Date {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return dunning.DateOf(time.Now().In(loc))
}

func TestWorklistRanksByScoreAndSaysWhy(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	now := time.Now().UTC()
	b.rate(t, b.today.AddDays(-3), "USD", "EUR", "0.90")
	b.rate(t, b.today.AddDays(5), "USD", "EUR", "2.00") // a later rate is not the rate of today
	risky := b.task(t, b.customer(t, "Risky", b.agent, amount("EUR", 10000), "High"), now.Add(-24*time.Hour))
	dollars := b.task(t, b.customer(t, "Dollars", b.agent, amount("USD", 50000), ""), now.Add(-24*time.Hour))
	pounds := b.task(t, b.customer(t, "Pounds", b.agent, amount("GBP", 100), ""), now.Add(-24*time.Hour))
	clean := b.task(t, b.customer(t, "Clean", b.agent, amount("EUR", 0), ""), now.Add(5*24*time.Hour))
	others := b.task(t, b.customer(t, "Someone else's", b.other, amount("EUR", 99999), "high"), now)

	list, total, err := b.app.Worklist(b.ctx, b.agent, app.WorklistQuery{Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.Equal(t, int64(4), total, "the caller's own tasks")
	tests := []struct {
		id     int64
		score  float64
		reason string
	}{
		{risky, 62.67, "score 62.67: 10000.00 EUR overdue +40.00, 10 days overdue +1.67, risk High +20.00, task past due +1.00"},
		{dollars, 49.20, "score 49.20: 50000.00 USD overdue (45000.00 EUR at the rate of " + b.today.AddDays(-3).String() + ") +46.53, 10 days overdue +1.67, task past due +1.00"},
		{pounds, 22.71, "score 22.71: 100.00 GBP overdue (no rate to the reporting currency: ranked by the unconverted amount) +20.04, 10 days overdue +1.67, task past due +1.00"},
		{clean, -5.00, "score -5.00: nothing overdue, 0 days overdue +0.00, task due later -5.00"},
	}
	require.Len(t, list, len(tests))
	for i, tt := range tests {
		require.Equal(t, tt.id, list[i].ID, "rank %d", i+1)
		require.InDelta(t, tt.score, list[i].Score, 0.011, "rank %d", i+1)
		require.Equal(t, tt.reason, list[i].Reason, "rank %d", i+1)
	}

	team, total, err := b.app.Worklist(b.ctx, b.manager, app.WorklistQuery{Team: true, Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.Equal(t, int64(5), total)
	require.Equal(t, others, team[0].ID, "the team's list has everyone's tasks")
	theirs, _, err := b.app.Worklist(b.ctx, b.manager, app.WorklistQuery{Agent: "other@example.com", Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.Len(t, theirs, 1)

	_, _, err = b.app.Worklist(b.ctx, b.agent, app.WorklistQuery{Agent: "other@example.com", Page: domain.Page{Limit: 50}})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "an agent sees only their own")
	portfolio, total, err := b.app.Worklist(b.ctx, b.agent, app.WorklistQuery{Team: true, Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.Equal(t, int64(4), total, "an agent's team view is their portfolio")
	require.Equal(t, risky, portfolio[0].ID)
}

func TestExchangeRateIsTheLatestOnOrBeforeAndNeverGuessed(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	day := dunning.NewDate(2026, time.March, 10)
	b.rate(t, day, "USD", "EUR", "0.912345678901")
	r, err := b.store.ExchangeRate(b.ctx, "USD", "EUR", day.AddDays(30))
	require.NoError(t, err)
	require.Equal(t, store.Rate{From: "USD", To: "EUR", On: day, Value: "0.912345678901"}, r)
	_, err = b.store.ExchangeRate(b.ctx, "USD", "EUR", day.AddDays(-1))
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, err = b.store.ExchangeRate(b.ctx, "EUR", "USD", day)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "no inverse rate")
}

func TestClaimTask(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	c := b.customer(t, "Acme", b.agent, amount("EUR", 10), "")
	task := b.task(t, c, time.Now())
	_, err := b.pool.Exec(b.ctx, `UPDATE tasks SET assignee_id = NULL WHERE id = $1`, task)
	require.NoError(t, err)

	_, err = b.app.ClaimTask(b.ctx, b.other, task)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "outside the other agent's portfolio")
	customer, err := b.app.ClaimTask(b.ctx, b.agent, task)
	require.NoError(t, err)
	require.Equal(t, c, customer)
	list, _, err := b.app.Worklist(b.ctx, b.agent, app.WorklistQuery{Page: domain.Page{Limit: 5}})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, 1, b.journaled(t, "task.claim"))

	escalation, _, err := b.store.CreateTask(b.ctx, store.Task{Key: "esc", CustomerID: c, Kind: domain.TaskEscalation,
		AssigneeRole: domain.AssigneeCreditManager, DueAt: time.Now()})
	require.NoError(t, err)
	_, err = b.app.ClaimTask(b.ctx, b.agent, escalation)
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "an agent does not take a manager's escalation")
	_, err = b.app.ClaimTask(b.ctx, b.manager, escalation)
	require.NoError(t, err)
}

func (b *deskBundle) journaled(t *testing.T, action string) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT count(*) FROM audit_journal WHERE action = $1`, action).Scan(&n))
	return n
}

type openTask struct {
	Kind     string
	Assignee *int64
	Role     string
	DueAt    time.Time
	Attempts int
	Note     string
}

func (b *deskBundle) openTasks(t *testing.T, customer int64) []openTask {
	t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT kind, assignee_id, assignee_role, due_at, attempts, note FROM tasks
WHERE customer_id = $1 AND status = 'open' ORDER BY id`, customer)
	require.NoError(t, err)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[openTask])
	require.NoError(t, err)
	return list
}

// Each outcome does what the README says, and the task is done with it.
func TestCompleteTaskOutcomes(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	soon := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
	tests := []struct {
		name  string
		in    app.Completion
		check func(t *testing.T, c int64, done app.CompletedTask)
	}{
		{"no answer: the call comes back two business days later", app.Completion{Outcome: "no_answer"}, func(t *testing.T, c int64, done app.CompletedTask) {
			open := b.openTasks(t, c)
			require.Len(t, open, 1)
			require.Equal(t, "call", open[0].Kind)
			require.Equal(t, &b.agent.UserID, open[0].Assignee)
			require.Equal(t, 1, open[0].Attempts)
			paris, _ := time.LoadLocation("Europe/Paris")
			due := dunning.DateOf(open[0].DueAt.In(paris))
			cal, _ := dunning.NewCalendar("FR")
			require.True(t, cal.IsBusinessDay(due))
			require.True(t, due.After(dunning.DateOf(time.Now().In(paris)).AddDays(1)), "at least two days on")
		}},
		{"wrong contact: the phone is marked invalid and a task asks to fix it", app.Completion{Outcome: "wrong_contact", Channel: "sms"}, func(t *testing.T, c int64, done app.CompletedTask) {
			open := b.openTasks(t, c)
			require.Len(t, open, 1)
			require.Equal(t, "fix_contact", open[0].Kind)
			require.Contains(t, open[0].Note, "sms")
			var phoneInvalid, emailInvalid bool
			require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT phone_invalid_at IS NOT NULL, email_invalid_at IS NOT NULL FROM customers WHERE id = $1`, c).
				Scan(&phoneInvalid, &emailInvalid))
			require.Equal(t, []bool{true, false}, []bool{phoneInvalid, emailInvalid}, "a failed text marks the number, not the email")
		}},
		{"dispute: a dispute case holds the invoices", app.Completion{Outcome: "dispute", Note: "goods damaged", DisputeReason: "quality"}, func(t *testing.T, c int64, done app.CompletedTask) {
			require.Len(t, done.Disputed, 1)
			var status string
			require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT status FROM invoices WHERE customer_id = $1`, c).Scan(&status))
			require.Equal(t, "disputed", status)
			require.Empty(t, b.openTasks(t, c))
			require.NotNil(t, done.Case)
			require.Equal(t, domain.CaseDispute, done.Case.Type)
			require.Equal(t, "quality", done.Case.Reason)
			require.Equal(t, "task", done.Case.Source)
			require.Equal(t, "goods damaged", done.Case.Description)
			require.Equal(t, done.Disputed, []int64{done.Case.Invoices[0].InvoiceID})
		}},
		{"paid claimed: a check three days later", app.Completion{Outcome: "paid_claimed", PaidOn: b.today.AddDays(-1).String(), Reference: "VIR-123"}, func(t *testing.T, c int64, done app.CompletedTask) {
			open := b.openTasks(t, c)
			require.Len(t, open, 1)
			require.Equal(t, "check_payment", open[0].Kind)
			require.WithinDuration(t, time.Now().AddDate(0, 0, 3), open[0].DueAt, time.Minute)
			require.Contains(t, open[0].Note, "VIR-123")
			require.Len(t, done.Held, 1, "the invoices wait while the payment is checked")
			var until time.Time
			require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT until FROM invoice_holds WHERE invoice_id = $1 AND released_at IS NULL`, done.Held[0]).Scan(&until))
			require.Equal(t, dunning.DateOf(time.Now().UTC()).AddDays(3).String(), until.Format(time.DateOnly))
		}},
		{"callback: a call at that time", app.Completion{Outcome: "callback", CallbackAt: soon}, func(t *testing.T, c int64, done app.CompletedTask) {
			open := b.openTasks(t, c)
			require.Len(t, open, 1)
			require.Equal(t, "call", open[0].Kind)
			require.True(t, soon.Equal(open[0].DueAt))
		}},
		{"promise: recorded as RecordPromise would, in the same transaction", app.Completion{Outcome: "promise", Note: "pays on Friday",
			Promise: app.PromiseRequest{AmountMinor: 60_00, Date: b.today.AddDays(4).String(), OldestFirst: true}}, func(t *testing.T, c int64, done app.CompletedTask) {
			require.NotNil(t, done.Promise)
			list, err := b.app.Promises(b.ctx, b.agent, c)
			require.NoError(t, err)
			require.Len(t, list, 1)
			p := list[0]
			require.Equal(t, done.Promise.ID, p.ID)
			require.Equal(t, money.Money{Minor: 60_00, Currency: money.MustCurrency("EUR")}, p.Amount, "in the customer's currency")
			require.Equal(t, b.today.AddDays(4), p.Date)
			require.Equal(t, "call", p.Source)
			require.Equal(t, "pays on Friday", p.Note, "the task's note")
			require.Len(t, p.InvoiceIDs, 1, "the oldest open invoice covers it")
			require.Equal(t, store.PromiseOpen, p.Status)
			var resolution string
			require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT resolution FROM tasks WHERE id = $1`, done.ID).Scan(&resolution))
			require.Equal(t, fmt.Sprintf("promise: 60.00 EUR by %s: pays on Friday", b.today.AddDays(4)), resolution)
			require.Empty(t, b.openTasks(t, c))
		}},
		{"other: the note", app.Completion{Outcome: "other", Note: "will pay with the next run"}, func(t *testing.T, c int64, done app.CompletedTask) {
			require.Empty(t, b.openTasks(t, c))
			var resolution, outcome string
			require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT resolution, outcome FROM tasks WHERE id = $1`, done.ID).Scan(&resolution, &outcome))
			require.Equal(t, "other: will pay with the next run", resolution)
			require.Equal(t, "other", outcome)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := b.customer(t, tt.name, b.agent, amount("EUR", 100), "")
			task := b.task(t, c, time.Now())
			done, err := b.app.CompleteTask(b.ctx, b.agent, task, tt.in)
			require.NoError(t, err)
			require.Equal(t, c, done.CustomerID)
			require.Equal(t, 1, done.Woken.Accounts, "the account is woken")
			tt.check(t, c, done)
			_, err = b.app.CompleteTask(b.ctx, b.agent, task, tt.in)
			require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "a task is completed once")
		})
	}
}

// Three calls in a row that nobody answers escalate to the credit manager.
func TestNoAnswerThreeTimesEscalates(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	c := b.customer(t, "Silent", b.agent, amount("EUR", 100), "")
	task := b.task(t, c, time.Now())
	for i := 1; i <= 3; i++ {
		done, err := b.app.CompleteTask(b.ctx, b.agent, task, app.Completion{Outcome: "no_answer"})
		require.NoError(t, err)
		require.Len(t, done.FollowUps, 1)
		task = done.FollowUps[0]
	}
	open := b.openTasks(t, c)
	require.Len(t, open, 1)
	require.Equal(t, "escalation", open[0].Kind)
	require.Equal(t, "credit_manager", open[0].Role)
	require.Equal(t, &b.manager.UserID, open[0].Assignee, "the only credit manager")
}

func TestCompleteTaskValidation(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	c := b.customer(t, "Acme", b.agent, amount("EUR", 100), "")
	task := b.task(t, c, time.Now())
	tests := []struct {
		in    app.Completion
		field string
	}{
		{app.Completion{}, "outcome"},
		{app.Completion{Outcome: "promise"}, "amount_minor"},
		{app.Completion{Outcome: "promise", Promise: app.PromiseRequest{AmountMinor: 100, OldestFirst: true}}, "date"},
		{app.Completion{Outcome: "promise", Promise: app.PromiseRequest{AmountMinor: 100, Date: b.today.AddDays(3).String()}}, "invoice_ids"},
		{app.Completion{Outcome: "promise", Promise: app.PromiseRequest{AmountMinor: 100, Date: b.today.AddDays(-3).String(), OldestFirst: true}}, "date"},
		{app.Completion{Outcome: "promise", Promise: app.PromiseRequest{AmountMinor: 100_01, Date: b.today.AddDays(3).String(), OldestFirst: true}}, "amount_minor"},
		{app.Completion{Outcome: "promise", Promise: app.PromiseRequest{AmountMinor: 100, Currency: "USD", Date: b.today.AddDays(3).String(), OldestFirst: true}}, "invoice_ids"},
		{app.Completion{Outcome: "promise", Promise: app.PromiseRequest{AmountMinor: 100, Date: b.today.AddDays(3).String(), InvoiceIDs: []int64{999999}}}, "invoice_ids"},
		{app.Completion{Outcome: "other"}, "note"},
		{app.Completion{Outcome: "dispute"}, "note"},
		{app.Completion{Outcome: "dispute", Note: "x", DisputeReason: "mood"}, "dispute_reason"},
		{app.Completion{Outcome: "wrong_contact"}, "channel"},
		{app.Completion{Outcome: "wrong_contact", Channel: "fax"}, "channel"},
		{app.Completion{Outcome: "paid_claimed", Reference: "x"}, "paid_on"},
		{app.Completion{Outcome: "paid_claimed", PaidOn: "31/01/2026", Reference: "x"}, "paid_on"},
		{app.Completion{Outcome: "paid_claimed", PaidOn: b.today.AddDays(5).String(), Reference: "x"}, "paid_on"},
		{app.Completion{Outcome: "paid_claimed", PaidOn: b.today.String()}, "reference"},
		{app.Completion{Outcome: "callback"}, "callback_at"},
		{app.Completion{Outcome: "callback", CallbackAt: time.Now().Add(-time.Hour)}, "callback_at"},
	}
	for _, tt := range tests {
		_, err := b.app.CompleteTask(b.ctx, b.agent, task, tt.in)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "%+v", tt.in)
		require.Equal(t, tt.field, errorField(err), "%+v", tt.in)
	}
	require.Equal(t, "open", b.taskStatus(t, task), "a refused completion leaves the task open")
	var promises int
	require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT count(*) FROM promises`).Scan(&promises))
	require.Zero(t, promises, "and records no promise")
	auditor := domain.Principal{Role: domain.RoleAuditor, AllEntities: true}
	_, err := b.app.CompleteTask(b.ctx, auditor, task, app.Completion{Outcome: "other", Note: "x"})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))
	_, err = b.app.CompleteTask(b.ctx, b.other, task, app.Completion{Outcome: "other", Note: "x"})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "outside the perimeter")
}

func TestCreateTaskForASalesRep(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	rep := b.user(t, domain.RoleSalesRep, "rep@example.com")
	c := b.customer(t, "Acme", b.agent, amount("EUR", 100), "")
	due := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	id, err := b.app.CreateTask(b.ctx, b.agent, app.NewTask{CustomerID: c, Kind: "purchase_order", AssigneeEmail: "rep@example.com", DueAt: due, Note: "ask for the PO"})
	require.NoError(t, err)
	open := b.openTasks(t, c)
	require.Len(t, open, 1)
	require.Equal(t, openTask{Kind: "purchase_order", Assignee: &rep.UserID, Role: "sales_rep", DueAt: open[0].DueAt, Note: "ask for the PO"}, open[0])
	require.True(t, due.Equal(open[0].DueAt))
	require.NotZero(t, id)

	tests := []struct {
		in    app.NewTask
		field string
	}{
		{app.NewTask{CustomerID: c, AssigneeEmail: "rep@example.com", Note: "x"}, "kind"},
		{app.NewTask{CustomerID: c, Kind: "escalation", AssigneeEmail: "rep@example.com", Note: "x"}, "kind"},
		{app.NewTask{CustomerID: c, Kind: "call", Note: "x"}, "assignee_email"},
		{app.NewTask{CustomerID: c, Kind: "call", AssigneeEmail: "nobody@example.com", Note: "x"}, "assignee_email"},
		{app.NewTask{CustomerID: c, Kind: "call", AssigneeRole: "boss", Note: "x"}, "assignee_role"},
		{app.NewTask{CustomerID: c, Kind: "call", AssigneeRole: "agent"}, "note"},
	}
	for _, tt := range tests {
		_, err := b.app.CreateTask(b.ctx, b.agent, tt.in)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "%+v", tt.in)
		require.Equal(t, tt.field, errorField(err), "%+v", tt.in)
	}
	_, err = b.app.CreateTask(b.ctx, b.other, app.NewTask{CustomerID: c, Kind: "call", AssigneeRole: "agent", Note: "x"})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

func (b *deskBundle) taskStatus(t *testing.T, id int64) string {
	t.Helper()
	var status string
	require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT status FROM tasks WHERE id = $1`, id).Scan(&status))
	return status
}

func errorField(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// A case department's queue is a role the task lists filter by (its SLA
// tasks carry the department's name); a role that no task can have is refused.
func TestTaskListsFilterByACaseDepartmentsQueue(t *testing.T) {
	t.Parallel()
	b := setupDesk(t)
	c := b.customer(t, "Acme", b.agent, amount("EUR", 100), "")
	b.task(t, c, time.Now())
	_, _, err := b.store.CreateTask(b.ctx, store.Task{Key: "test/logistics", CustomerID: c, Kind: domain.TaskCase,
		AssigneeRole: domain.DepartmentLogistics.Assignee(), InvoiceIDs: []int64{}, DueAt: time.Now(), Note: "case 1: half its SLA is gone", Actor: "system"})
	require.NoError(t, err)

	rows, total, err := b.app.Worklist(b.ctx, b.manager, app.WorklistQuery{Team: true, Role: "logistics", Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.EqualValues(t, 1, total)
	require.Equal(t, "case 1: half its SLA is gone", rows[0].Note)
	tasks, total, err := b.app.Tasks(b.ctx, b.manager, app.TaskQuery{Role: "logistics", Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.EqualValues(t, 1, total)
	require.Equal(t, domain.TaskCase, tasks[0].Kind)

	_, _, err = b.app.Tasks(b.ctx, b.manager, app.TaskQuery{Role: "boss", Page: domain.Page{Limit: 50}})
	require.Equal(t, "role", errorField(err))
}
