package workflows_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/capture"
	"recoup/dunning"
	"recoup/flow"
	"recoup/money"
	"recoup/notify"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/templates"
	"recoup/workflows"
)

// notice is a CustomerNotice workflow run with its real activities on a real
// Postgres and a real SMTP server: a French customer in Paris owing two
// invoices of 600 € and 300 €.
type notice struct {
	env      *testsuite.TestWorkflowEnvironment
	st       *store.Store
	rows     *storetest.Factory
	mail     *capture.Mailbox
	notices  *activities.Notices
	customer int64
	invoices []int64
	today    dunning.Date // the customer's, on the real clock the store reads
	remind   bool         // the scenario's RemindBeforePromise
}

var paris = func() *time.Location { l, _ := time.LoadLocation("Europe/Paris"); return l }()

func setupNotice(t *testing.T, remind bool) *notice {
	t.Helper()
	pool := storetest.NewPool(t)
	n := &notice{st: &store.Store{Pool: pool}, rows: storetest.NewFactory(pool), remind: remind}
	fr := n.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France SAS", TimeZone: "Europe/Paris", Language: "fr"})
	n.customer = n.rows.Customer(t, storetest.Customer{Entity: fr, Name: "Dupont SARL", Email: "compta@dupont.example",
		Language: "fr", TimeZone: "Europe/Paris"})
	eur := money.MustCurrency("EUR")
	for _, minor := range []int64{60000, 30000} {
		n.invoices = append(n.invoices, n.rows.Invoice(t, storetest.Invoice{Customer: n.customer, Amount: money.Money{Minor: minor, Currency: eur}}))
	}
	def := dunning.DefaultScenario()
	steps, err := json.Marshal(def.Steps)
	require.NoError(t, err)
	_, err = n.st.EnsureDefaultScenario(context.Background(), def.Name, steps)
	require.NoError(t, err)
	now := time.Now()
	n.today = dunning.DateOf(now.In(paris))

	log := slog.New(slog.DiscardHandler)
	n.mail, err = capture.NewMailbox("")
	require.NoError(t, err)
	srv, err := capture.ListenSMTP("127.0.0.1:0", n.mail, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	mailer, err := notify.NewMailer("smtp://"+srv.Addr(), "Recoup <ar@recoup.example>")
	require.NoError(t, err)

	var suite testsuite.WorkflowTestSuite
	n.env = suite.NewTestWorkflowEnvironment()
	n.env.SetStartTime(now)
	n.notices = &activities.Notices{Store: n.st,
		Outbound: &activities.Dunning{Store: n.st, Mailer: mailer, Templates: templates.DefaultSet(), Log: log},
		Now:      n.env.Now,
		// The scenario's setting, as the planner stores it with each version.
		Account: func(ctx context.Context, id int64) (dunning.Account, error) {
			a, _, err := n.st.AccountSnapshot(ctx, id)
			for sid, sc := range a.Scenarios {
				sc.Settings.RemindBeforePromise = n.remind
				a.Scenarios[sid] = sc
			}
			return a, err
		}}
	n.env.RegisterActivity(n.notices)
	return n
}

// nineAM is when a reminder for d goes out: 09:00 in Paris the day before.
func nineAM(d dunning.Date) time.Time {
	day := d.AddDays(-1)
	t := day.In(time.UTC)
	return time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, paris)
}

func (n *notice) promise(t *testing.T, days int, minor int64) store.Promise {
	t.Helper()
	p, err := n.st.CreatePromise(context.Background(), store.NewPromise{CustomerID: n.customer, InvoiceIDs: n.invoices[:1],
		Amount: money.Money{Minor: minor, Currency: money.MustCurrency("EUR")}, Date: n.today.AddDays(days), Source: "call", Actor: "agent@example.com"})
	require.NoError(t, err)
	return p
}

// plan is a payment plan of 300.00 EUR per instalment on dates, over the invoices.
func (n *notice) plan(t *testing.T, dates []dunning.Date) store.Plan {
	t.Helper()
	var inst []store.Instalment
	for _, d := range dates {
		inst = append(inst, store.Instalment{Date: d, Amount: 30000})
	}
	p, err := n.st.CreatePlan(context.Background(), store.NewPlan{CustomerID: n.customer, InvoiceIDs: n.invoices,
		Currency: money.MustCurrency("EUR"), Instalments: inst, Actor: "agent@example.com"})
	require.NoError(t, err)
	return p
}

func (n *notice) run(t *testing.T, kind string, id int64) {
	t.Helper()
	n.env.ExecuteWorkflow(workflows.CustomerNotice, flow.NoticeInput{Kind: kind, ID: id, CustomerID: n.customer})
	require.True(t, n.env.IsWorkflowCompleted())
	require.NoError(t, n.env.GetWorkflowError())
}

func (n *notice) journaled(t *testing.T, action string) int {
	t.Helper()
	rows, err := n.st.CustomerJournal(context.Background(), n.customer, nil, nil, 1000)
	require.NoError(t, err)
	count := 0
	for _, r := range rows {
		if r.Action == action {
			count++
		}
	}
	return count
}

func TestPromiseReminderGoesOutTheDayBefore(t *testing.T) {
	t.Parallel()
	n := setupNotice(t, true)
	p := n.promise(t, 5, 45000)
	at := nineAM(p.Date)
	n.env.RegisterDelayedCallback(func() {
		require.Zero(t, n.mail.Len(), "nothing before 09:00 the day before")
	}, at.Sub(n.env.Now())-time.Minute)
	n.run(t, flow.NoticePromise, p.ID)

	require.Equal(t, at.UTC(), n.env.Now().UTC(), "sent when the contact window opens, the day before")
	msgs := n.mail.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"compta@dupont.example"}, msgs[0].To)
	require.Contains(t, msgs[0].Subject, "Rappel : paiement de 450,00")
	require.Contains(t, msgs[0].Text, templates.FormatDate("fr", p.Date.In(time.UTC)))
	require.Equal(t, 1, n.journaled(t, "notice.promise_reminder.sent"), "journaled: the account's timeline shows it")

	// A second run (the daily sweep after a lost run) sends nothing again.
	again := setupAgain(t, n)
	again.run(t, flow.NoticePromise, p.ID)
	require.Equal(t, 1, n.mail.Len())
}

// oldestFirst lists what the mailbox received in the order it arrived.
func oldestFirst(m *capture.Mailbox) []capture.Message {
	msgs := m.Messages()
	slices.Reverse(msgs)
	return msgs
}

// setupAgain is a new workflow environment over n's database and mailbox.
func setupAgain(t *testing.T, n *notice) *notice {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	m := *n
	m.env = suite.NewTestWorkflowEnvironment()
	m.env.SetStartTime(time.Now())
	nn := *n.notices
	nn.Now = m.env.Now
	m.notices = &nn
	m.env.RegisterActivity(m.notices)
	return &m
}

func TestPromiseReminderSkipped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		remind bool
		before func(t *testing.T, n *notice, p store.Promise) // an hour before the reminder
		why    string
	}{
		{"paid meanwhile", true, func(t *testing.T, n *notice, p store.Promise) {
			n.rows.Payment(t, storetest.Payment{Invoice: n.invoices[0], Amount: money.Money{Minor: 45000, Currency: money.MustCurrency("EUR")}})
		}, "paid"},
		{"cancelled", true, func(t *testing.T, n *notice, p store.Promise) {
			_, err := n.st.CancelPromise(context.Background(), p.ID, "customer disputes", "agent@example.com")
			require.NoError(t, err)
		}, "no longer open"},
		{"scenario does not remind", false, func(*testing.T, *notice, store.Promise) {}, "does not remind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := setupNotice(t, tt.remind)
			p := n.promise(t, 3, 45000)
			n.env.RegisterDelayedCallback(func() { tt.before(t, n, p) }, nineAM(p.Date).Sub(n.env.Now())-time.Hour)
			var detail string
			n.env.SetOnActivityCompletedListener(func(_ *activity.Info, result converter.EncodedValue, err error) {
				var res flow.SendNoticeResult
				if err == nil && result != nil && result.Get(&res) == nil && res.Key != "" {
					detail = res.Detail
				}
			})
			n.run(t, flow.NoticePromise, p.ID)
			require.Zero(t, n.mail.Len())
			require.Contains(t, detail, tt.why)
			require.Zero(t, n.journaled(t, "notice.promise_reminder.sent"))
		})
	}
}

func TestPlanConfirmationThenOneReminderPerInstalment(t *testing.T) {
	t.Parallel()
	n := setupNotice(t, true)
	dates := []dunning.Date{n.today.AddDays(3), n.today.AddDays(10), n.today.AddDays(17)}
	p := n.plan(t, dates)

	n.env.RegisterDelayedCallback(func() {
		msgs := n.mail.Messages()
		require.Len(t, msgs, 1, "the confirmation goes at once")
		require.Contains(t, msgs[0].Subject, "Confirmation de votre plan de paiement")
		for _, d := range dates {
			require.Contains(t, msgs[0].Text, templates.FormatDate("fr", d.In(time.UTC)))
			require.Contains(t, msgs[0].HTML, templates.FormatDate("fr", d.In(time.UTC)))
		}
		require.Contains(t, msgs[0].Text, "Échéance 3 : 300,00")
	}, time.Minute)
	for i, d := range dates {
		n.env.RegisterDelayedCallback(func() {
			require.Equal(t, 1+i, n.mail.Len(), "instalment %d: its reminder waits for the day before", i+1)
		}, nineAM(d).Sub(n.env.Now())-time.Minute)
	}
	n.run(t, flow.NoticePlan, p.ID)

	msgs := oldestFirst(n.mail)
	require.Len(t, msgs, 4)
	for i, m := range msgs[1:] {
		require.Contains(t, m.Text, "l'échéance "+string(rune('1'+i))+" de votre plan de paiement")
	}
	require.Equal(t, 1, n.journaled(t, "notice.plan_confirmation.sent"))
	require.Equal(t, 3, n.journaled(t, "notice.promise_reminder.sent"))
}

// Paying ahead covers the next instalments: their reminders are skipped.
func TestPlanPaidAheadSkipsTheCoveredInstalments(t *testing.T) {
	t.Parallel()
	n := setupNotice(t, true)
	eur := money.MustCurrency("EUR")
	dates := []dunning.Date{n.today.AddDays(3), n.today.AddDays(10), n.today.AddDays(17)}
	p := n.plan(t, dates)
	n.env.RegisterDelayedCallback(func() { // instalments 1 and 2 at once
		n.rows.Payment(t, storetest.Payment{Invoice: n.invoices[0], Amount: money.Money{Minor: 60000, Currency: eur}})
	}, time.Hour)
	n.run(t, flow.NoticePlan, p.ID)
	msgs := oldestFirst(n.mail)
	require.Len(t, msgs, 2, "the confirmation and the third instalment's reminder")
	require.True(t, strings.Contains(msgs[1].Text, "l'échéance 3 "), msgs[1].Text)
}

// A rejected dispute is answered at once, once, in the customer's language,
// with the reason; no schedule is read.
func TestCustomerNoticeAnswersARejectedDisputeAtOnce(t *testing.T) {
	t.Parallel()
	n := setupNotice(t, false)
	ctx := context.Background()
	k, err := n.st.OpenCase(ctx, store.Everything, store.NewCase{Type: "dispute", CustomerID: n.customer, Reason: "quality",
		Invoices: []store.NewCaseInvoice{{InvoiceID: n.invoices[1]}}, Source: "agent", Actor: "agent@example.com"})
	require.NoError(t, err)
	_, err = n.st.DecideCase(ctx, store.CaseDecision{CaseID: k.ID, Decision: "rejected", Reason: "the samples passed the tests",
		By: "legal@example.com"})
	require.NoError(t, err)
	start := n.env.Now()

	n.env.ExecuteWorkflow(workflows.CustomerNotice, flow.NoticeInput{Kind: flow.NoticeDisputeRejected, ID: k.ID, CustomerID: n.customer})
	require.True(t, n.env.IsWorkflowCompleted())
	require.NoError(t, n.env.GetWorkflowError())
	require.Less(t, n.env.Now().Sub(start), time.Minute, "no waiting")
	require.Equal(t, 1, n.mail.Len())
	m := n.mail.Messages()[0]
	require.Contains(t, m.Subject, "Votre contestation")
	require.Contains(t, m.Text, "« the samples passed the tests »")
	require.Equal(t, notify.MessageID(flow.DisputeRejectedKey(k.ID, 0)), m.MessageID)
	require.Equal(t, 1, n.journaled(t, "notice.dispute_rejected.sent"))
}
