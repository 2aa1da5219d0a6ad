package activities_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/money"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
)

// notices is the notice activities over setup's database and SMTP server,
// with the scenarios' RemindBeforePromise set as remind says.
func notices(t *testing.T, f *fixture, remind bool) (*activities.Notices, *testsuite.TestActivityEnvironment) {
	t.Helper()
	def := dunning.DefaultScenario()
	steps, err := json.Marshal(def.Steps)
	require.NoError(t, err)
	_, err = f.st.EnsureDefaultScenario(context.Background(), def.Name, steps)
	require.NoError(t, err)
	n := &activities.Notices{Store: f.st, Outbound: f.d,
		Account: func(ctx context.Context, id int64) (dunning.Account, error) {
			a, _, err := f.st.AccountSnapshot(ctx, id)
			for sid, sc := range a.Scenarios {
				sc.Settings.RemindBeforePromise = remind
				a.Scenarios[sid] = sc
			}
			return a, err
		}}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(n)
	return n, env
}

func sendNotice(t *testing.T, env *testsuite.TestActivityEnvironment, n *activities.Notices, in flow.SendNoticeInput) flow.SendNoticeResult {
	t.Helper()
	val, err := env.ExecuteActivity(n.SendNotice, in)
	require.NoError(t, err)
	var res flow.SendNoticeResult
	require.NoError(t, val.Get(&res))
	return res
}

// A plan's confirmation goes once, in the customer's language (the entity's
// here: C3 has none of its own, its entity is French), with the schedule.
func TestPlanConfirmationIsSentOnceInTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	f := setup(t)
	n, env := notices(t, f, false)
	ctx := context.Background()
	eur := money.MustCurrency("EUR")
	today := dunning.DateOf(time.Now().In(time.UTC))
	p, err := f.st.CreatePlan(ctx, store.NewPlan{CustomerID: f.ids["C3"], InvoiceIDs: []int64{f.ids["I4"]}, Currency: eur,
		Instalments: []store.Instalment{{Date: today.AddDays(7), Amount: 20000}, {Date: today.AddDays(37), Amount: 25000}}, Actor: "agent@example.com"})
	require.NoError(t, err)
	in := flow.SendNoticeInput{NoticeInput: flow.NoticeInput{Kind: flow.NoticePlan, ID: p.ID, CustomerID: f.ids["C3"]},
		Template: templates.PlanConfirmation, Key: flow.PlanConfirmationKey(p.ID), WorkflowID: flow.NoticeWorkflowID(flow.NoticePlan, p.ID)}

	res := sendNotice(t, env, n, in)
	require.Equal(t, "sent", res.Status)
	again := sendNotice(t, env, n, in)
	require.True(t, again.AlreadyDone)
	require.Equal(t, 1, f.mail.Len(), "sent once")

	m := f.mail.Messages()[0]
	require.Equal(t, []string{"compta@dupont.example"}, m.To)
	require.Contains(t, m.Subject, "Confirmation de votre plan de paiement")
	require.Contains(t, m.Text, "Échéance 1 : 200,00\u00a0€ le "+templates.FormatDate("fr", today.AddDays(7).In(time.UTC)))
	require.Contains(t, m.Text, "Échéance 2 : 250,00\u00a0€")
	require.Contains(t, m.Text, "F-3001")
	require.Equal(t, notify.MessageID(flow.PlanConfirmationKey(p.ID)), m.MessageID)
	status, ch, _, err := f.st.MessageStatus(ctx, in.Key)
	require.NoError(t, err)
	require.Equal(t, domain.MessageSent, status)
	require.Equal(t, domain.ChannelEmail, ch)
	journal, err := f.st.CustomerJournal(ctx, f.ids["C3"], nil, nil, 100)
	require.NoError(t, err)
	var actions []string
	for _, j := range journal {
		actions = append(actions, j.Action)
	}
	require.Contains(t, actions, "notice.plan_confirmation.sent")
}

func TestPromiseReminderChecksWhenItIsDue(t *testing.T) {
	t.Parallel()
	gbp := money.MustCurrency("GBP")
	today := dunning.DateOf(time.Now().In(time.UTC))
	tests := []struct {
		name     string
		remind   bool
		nowDay   int // the day of the check, from the promised date
		cancel   bool
		want     string
		wantMail int
	}{
		{"sent the day before", true, -1, false, "sent", 1},
		{"setting off", false, -1, false, "skipped", 0},
		{"cancelled", true, -1, true, "skipped", 0},
		{"too late: due today", true, 0, false, "skipped", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			n, env := notices(t, f, tt.remind)
			due := today.AddDays(2)
			n.Now = func() time.Time { return due.AddDays(tt.nowDay).In(time.UTC).Add(10 * time.Hour) } // the customer is in London
			ctx := context.Background()
			p, err := f.st.CreatePromise(ctx, store.NewPromise{CustomerID: f.ids["C1"], InvoiceIDs: []int64{f.ids["I1"]},
				Amount: money.Money{Minor: 50000, Currency: gbp}, Date: due, Source: "call", Actor: "agent@example.com"})
			require.NoError(t, err)
			if tt.cancel {
				_, err := f.st.CancelPromise(ctx, p.ID, "wrong amount", "agent@example.com")
				require.NoError(t, err)
			}
			res := sendNotice(t, env, n, flow.SendNoticeInput{NoticeInput: flow.NoticeInput{Kind: flow.NoticePromise, ID: p.ID, CustomerID: f.ids["C1"]},
				Template: templates.PromiseReminder, Key: flow.ReminderKey(flow.NoticePromise, p.ID, 0), WorkflowID: "notice/promise"})
			require.Equal(t, tt.want, res.Status, res.Detail)
			require.Equal(t, tt.wantMail, f.mail.Len())
			if tt.wantMail == 1 {
				m := f.mail.Messages()[0]
				require.Contains(t, m.Subject, "payment of £500.00 due tomorrow")
				require.Contains(t, m.Text, "the payment of £500.00 you promised us is due tomorrow")
			}
		})
	}
}

// The schedule: one reminder per pending instalment, the day before at the
// contact window's opening on the account's clock (09:00 London).
func TestNoticeScheduleTheDayBeforeAtTheWindow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	n, env := notices(t, f, true)
	ctx := context.Background()
	today := dunning.DateOf(time.Now().In(time.UTC))
	gbp := money.MustCurrency("GBP")
	p, err := f.st.CreatePlan(ctx, store.NewPlan{CustomerID: f.ids["C1"], InvoiceIDs: []int64{f.ids["I1"], f.ids["I2"]}, Currency: gbp,
		Instalments: []store.Instalment{{Date: today.AddDays(3), Amount: 100000}, {Date: today.AddDays(40), Amount: 50050}}, Actor: "agent@example.com"})
	require.NoError(t, err)
	val, err := env.ExecuteActivity(n.NoticeSchedule, flow.NoticeInput{Kind: flow.NoticePlan, ID: p.ID, CustomerID: f.ids["C1"]})
	require.NoError(t, err)
	var sched flow.NoticeSchedule
	require.NoError(t, val.Get(&sched))
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	at := func(d dunning.Date) time.Time {
		t := d.AddDays(-1).In(time.UTC)
		return time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, london).UTC()
	}
	require.Equal(t, []flow.NoticeReminder{
		{Key: flow.ReminderKey(flow.NoticePlan, p.ID, 1), Seq: 1, Due: today.AddDays(3), At: at(today.AddDays(3)), Amount: 100000},
		{Key: flow.ReminderKey(flow.NoticePlan, p.ID, 2), Seq: 2, Due: today.AddDays(40), At: at(today.AddDays(40)), Amount: 50050},
	}, sched.Reminders)
}

// A rejected dispute's reason goes to the customer's contact once, in their
// language, about the invoices it named; a case reopened since, or decided
// otherwise, is not answered.
func TestDisputeRejectionIsEmailedOnceWithItsReason(t *testing.T) {
	t.Parallel()
	f := setup(t)
	n, env := notices(t, f, false)
	ctx := context.Background()
	k, err := f.st.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: f.ids["C3"], Reason: "delivery",
		Invoices: []store.NewCaseInvoice{{InvoiceID: f.ids["I4"]}}, Source: "agent", Actor: "agent@example.com"})
	require.NoError(t, err)
	_, err = f.st.DecideCase(ctx, store.CaseDecision{CaseID: k.ID, Decision: domain.DecisionRejected,
		Reason: "the delivery note <signed> on 3 March", By: "legal@example.com"})
	require.NoError(t, err)
	in := flow.SendNoticeInput{NoticeInput: flow.NoticeInput{Kind: flow.NoticeDisputeRejected, ID: k.ID, CustomerID: f.ids["C3"]},
		Template: templates.DisputeRejected, Key: flow.DisputeRejectedKey(k.ID, 0), WorkflowID: flow.DisputeRejectedWorkflowID(k.ID, 0)}

	res := sendNotice(t, env, n, in)
	require.Equal(t, "sent", res.Status, res.Detail)
	require.True(t, sendNotice(t, env, n, in).AlreadyDone)
	require.Equal(t, 1, f.mail.Len(), "sent once")
	m := f.mail.Messages()[0]
	require.Equal(t, []string{"compta@dupont.example"}, m.To)
	require.Contains(t, m.Subject, "Votre contestation "+itoa(k.ID))
	require.Contains(t, m.Text, "« the delivery note <signed> on 3 March »")
	require.Contains(t, m.HTML, "the delivery note &lt;signed&gt; on 3 March")
	require.Contains(t, m.Text, "F-3001", "the invoices disputed")
	journal, err := f.st.CustomerJournal(ctx, f.ids["C3"], nil, nil, 100)
	require.NoError(t, err)
	var actions []string
	for _, j := range journal {
		actions = append(actions, j.Action)
	}
	require.Contains(t, actions, "notice.dispute_rejected.sent")

	// Reopened since: the answer of round 0 is no longer to give.
	require.NoError(t, f.st.ReopenCase(ctx, store.CaseReopen{CaseID: k.ID, Reason: "new photos", By: "agent@example.com", Round: 1}))
	late := in
	late.Key = "case/late-check"
	res = sendNotice(t, env, n, late)
	require.Equal(t, "skipped", res.Status)
	require.Equal(t, "the dispute is no longer rejected", res.Detail)
	require.Equal(t, 1, f.mail.Len())

	_, err = env.ExecuteActivity(n.SendNotice, flow.SendNoticeInput{NoticeInput: in.NoticeInput, Template: templates.PlanConfirmation,
		Key: "x", WorkflowID: "x"})
	require.Error(t, err, "a dispute's answer is sent with its own template only")
}
