package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/capture"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/notify"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/templates"
)

const (
	twilioSID   = "ACtest"
	twilioToken = "secret"
)

type fixture struct {
	st    *store.Store
	mail  *capture.Mailbox // what the SMTP server received
	phone *capture.Mailbox // SMS and calls the Twilio stand-in received
	tw    *capture.TwilioAPI
	d     *activities.Dunning
	env   *testsuite.TestActivityEnvironment
	ids   map[string]int64 // customer and invoice external ids → ids
}

// setup starts a fresh database with two entities, an agent, four customers
// (C1 email and phone, C2 phone only, C3 email only, C4 neither) and their
// overdue invoices, a real SMTP server and the Twilio stand-in.
func setup(t *testing.T) *fixture {
	t.Helper()
	pool := storetest.NewPool(t)
	f := &fixture{st: &store.Store{Pool: pool}, ids: map[string]int64{}}
	rows := storetest.NewFactory(pool)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France SAS"})
	gb := rows.Entity(t, storetest.Entity{Code: "GB01", Name: "Recoup UK Ltd", Country: "GB", Currency: money.MustCurrency("GBP"),
		TimeZone: "Europe/London", Language: "en"})
	agent := rows.User(t, storetest.User{Email: "agent@example.com", Name: "Alice Agent", Role: domain.RoleAgent})
	for _, c := range []storetest.Customer{
		{ExternalID: "C1", Entity: gb, Name: "Acme Widgets Ltd", Email: "ap@acme.example", Phone: "+447700900001"},
		{ExternalID: "C2", Entity: gb, Name: "Phone Only Ltd", Phone: "+447700900002"},
		{ExternalID: "C3", Entity: fr, Name: "Dupont SARL", Email: "compta@dupont.example"},
		{ExternalID: "C4", Entity: gb, Name: "Unreachable Ltd"},
	} {
		c.Category, c.Agent = "retail", agent // all retail, all Alice's
		f.ids[c.ExternalID] = rows.Customer(t, c)
	}
	// They all consented to texts and calls (the gates' tests take it back).
	_, err := pool.Exec(context.Background(), `UPDATE customers SET sms_consent = true, voice_consent = true`)
	require.NoError(t, err)
	gbp := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("GBP")} }
	aug1, aug15 := dunning.NewDate(2026, time.August, 1), dunning.NewDate(2026, time.August, 15)
	sep1, sep15 := dunning.NewDate(2026, time.September, 1), dunning.NewDate(2026, time.September, 15)
	for _, in := range []storetest.Invoice{
		{ExternalID: "I1", Customer: f.ids["C1"], Number: "INV-1001", IssueDate: aug1, DueDate: sep1, Amount: gbp(120000)},
		{ExternalID: "I2", Customer: f.ids["C1"], Number: "INV-1002", IssueDate: aug15, DueDate: sep15, Amount: gbp(30050)},
		{ExternalID: "I3", Customer: f.ids["C2"], Number: "INV-2001", IssueDate: aug1, DueDate: sep1, Amount: gbp(9900)},
		{ExternalID: "I4", Customer: f.ids["C3"], Number: "F-3001", IssueDate: aug1, DueDate: sep1,
			Amount: money.Money{Minor: 45000, Currency: money.MustCurrency("EUR")}},
		{ExternalID: "I5", Customer: f.ids["C4"], Number: "INV-4001", IssueDate: aug1, DueDate: sep1, Amount: gbp(1000)},
	} {
		f.ids[in.ExternalID] = rows.Invoice(t, in)
	}

	log := slog.New(slog.DiscardHandler)
	f.mail, err = capture.NewMailbox("")
	require.NoError(t, err)
	smtpSrv, err := capture.ListenSMTP("127.0.0.1:0", f.mail, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = smtpSrv.Close() })
	mailer, err := notify.NewMailer("smtp://"+smtpSrv.Addr(), "Recoup <ar@recoup.example>")
	require.NoError(t, err)

	f.phone, err = capture.NewMailbox("")
	require.NoError(t, err)
	f.tw, err = capture.NewTwilioAPI(f.phone, twilioSID, twilioToken, log)
	require.NoError(t, err)
	twSrv := httptest.NewServer(f.tw)
	t.Cleanup(func() { f.tw.Close(); twSrv.Close() })
	tw, err := notify.NewTwilio(twilioSID, twilioToken, "+15005550006", twSrv.URL)
	require.NoError(t, err)

	set, err := templates.NewSet(templates.Defaults()...)
	require.NoError(t, err)
	f.d = &activities.Dunning{Store: f.st, Mailer: mailer, Twilio: tw, Templates: set,
		StatusCallbackURL: "https://recoup.example/webhooks/twilio", Log: log}
	f.env = newEnv(f.d)
	return f
}

func newEnv(d *activities.Dunning) *testsuite.TestActivityEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(d)
	return env
}

// action is a planned action of scenario 7 version 3 for customer's invoices.
func (f *fixture) action(key string, ch domain.Channel, customer string, invoices ...string) activities.ExecuteInput {
	step := dunning.Step{OffsetDays: 7, Channel: ch}
	switch {
	case ch.IsReminder():
		step.Template = templates.Reminder1
	case ch == domain.ChannelTask:
		step.AssigneeRole, step.TaskDueHours = domain.AssigneeAgent, 48
	case ch == domain.ChannelEscalation:
		step.AssigneeRole, step.TaskDueHours = domain.AssigneeCreditManager, 72
	}
	a := dunning.Action{At: time.Now(), ScenarioID: 7, ScenarioVersion: 3, StepIndex: 2, Step: step, Channel: ch, Key: key}
	for _, inv := range invoices {
		a.InvoiceIDs = append(a.InvoiceIDs, f.ids[inv])
		a.Repeats = append(a.Repeats, 0)
	}
	if step.TaskDueHours > 0 {
		a.TaskDue = a.At.Add(time.Duration(step.TaskDueHours) * time.Hour)
	}
	return activities.ExecuteInput{CustomerID: f.ids[customer], WorkflowID: "dunning/" + customer, Action: a}
}

func execute(t *testing.T, env *testsuite.TestActivityEnvironment, d *activities.Dunning, in activities.ExecuteInput) (activities.ExecuteResult, error) {
	t.Helper()
	var res activities.ExecuteResult
	val, err := env.ExecuteActivity(d.Execute, in)
	if err != nil {
		return res, err
	}
	require.NoError(t, val.Get(&res))
	return res, nil
}

func (f *fixture) run(t *testing.T, in activities.ExecuteInput) activities.ExecuteResult {
	t.Helper()
	res, err := execute(t, f.env, f.d, in)
	require.NoError(t, err)
	return res
}

func (f *fixture) logRow(t *testing.T, key string) (status, channel, ref, detail string) {
	t.Helper()
	err := f.st.Pool.QueryRow(context.Background(),
		`SELECT status, channel, provider_ref, detail FROM message_log WHERE key = $1`, key).Scan(&status, &channel, &ref, &detail)
	require.NoError(t, err)
	return status, channel, ref, detail
}

type journalRow struct {
	Actor, Action, Target string
	After                 map[string]any
}

func (f *fixture) journal(t *testing.T, prefix string) []journalRow {
	t.Helper()
	rows, err := f.st.Pool.Query(context.Background(),
		`SELECT actor, action, target, after FROM audit_journal WHERE action LIKE $1 || '%' ORDER BY id`, prefix)
	require.NoError(t, err)
	var out []journalRow
	for rows.Next() {
		var r journalRow
		var after []byte
		require.NoError(t, rows.Scan(&r.Actor, &r.Action, &r.Target, &after))
		require.NoError(t, json.Unmarshal(after, &r.After))
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

func (f *fixture) taskCount(t *testing.T, key string) int {
	t.Helper()
	var n int
	require.NoError(t, f.st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM tasks WHERE key = $1`, key).Scan(&n))
	return n
}

func TestEmailSendsOneStatementOnceAndJournalsIt(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.action("k-email", domain.ChannelEmail, "C1", "I1", "I2")

	res := f.run(t, in)
	require.Equal(t, activities.ExecuteResult{Key: "k-email", Status: "sent", Channel: domain.ChannelEmail}, res)
	msgs := f.mail.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.Equal(t, []string{"ap@acme.example"}, m.To)
	require.Equal(t, notify.MessageID("k-email"), m.MessageID)
	require.NotEmpty(t, m.Subject)
	require.Contains(t, strings.Join(m.Header["Content-Type"], ""), "multipart/alternative")
	for _, part := range []string{m.Text, m.HTML} {
		require.Contains(t, part, "INV-1001")
		require.Contains(t, part, "INV-1002")
		require.Contains(t, part, "Acme Widgets Ltd")
	}
	require.Contains(t, m.Text, "1,200.00")

	again := f.run(t, in)
	require.True(t, again.AlreadyDone)
	require.Equal(t, domain.MessageSent, again.Status)
	require.Len(t, f.mail.Messages(), 1, "a second run sends nothing")

	status, ch, ref, _ := f.logRow(t, "k-email")
	require.Equal(t, []string{"sent", "email", notify.MessageID("k-email")}, []string{status, ch, ref})
	j := f.journal(t, "dunning.")
	require.Len(t, j, 1)
	require.Equal(t, "dunning.email.sent", j[0].Action)
	require.Equal(t, "dunning/C1", j[0].Actor)
	require.Equal(t, "customer/"+itoa(f.ids["C1"]), j[0].Target)
	require.EqualValues(t, 3, j[0].After["scenario_version"])
	require.EqualValues(t, 7, j[0].After["scenario_id"])
	require.Equal(t, "k-email", j[0].After["key"])
	require.Equal(t, []any{float64(f.ids["I1"]), float64(f.ids["I2"])}, j[0].After["invoice_ids"])
}

func TestEmailInCustomerLanguage(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.run(t, f.action("k-fr", domain.ChannelEmail, "C3", "I4"))
	msgs := f.mail.Messages()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].Text, "F-3001")
	require.Contains(t, msgs[0].Text, "450,00", "French number format")
	require.Equal(t, []string{"fr"}, msgs[0].Header["Content-Language"])
}

func TestSMSThroughTwilio(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.run(t, f.action("k-sms", domain.ChannelSMS, "C2", "I3"))
	require.Equal(t, domain.MessageSent, res.Status)
	require.Equal(t, domain.ChannelSMS, res.Channel)
	msgs := f.phone.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, capture.KindSMS, msgs[0].Kind)
	require.Equal(t, []string{"+447700900002"}, msgs[0].To)
	require.Contains(t, msgs[0].Text, "£99.00")
	_, _, ref, _ := f.logRow(t, "k-sms")
	require.Equal(t, msgs[0].SID, ref)

	require.True(t, f.run(t, f.action("k-sms", domain.ChannelSMS, "C2", "I3")).AlreadyDone)
	require.Len(t, f.phone.Messages(), 1)
}

func TestVoiceCallSpeaks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.run(t, f.action("k-voice", domain.ChannelVoice, "C1", "I1"))
	require.Equal(t, []any{domain.MessageSent, domain.ChannelVoice}, []any{res.Status, res.Channel})
	msgs := f.phone.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, capture.KindCall, msgs[0].Kind)
	require.Contains(t, msgs[0].TwiML, "<Say")
}

func TestEmailWithoutAddressFallsBackToSMS(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.run(t, f.action("k-noemail", domain.ChannelEmail, "C2", "I3"))
	require.Equal(t, domain.MessageFallback, res.Status)
	require.Equal(t, domain.ChannelSMS, res.Channel)
	require.Contains(t, res.Detail, "no email address")
	require.Empty(t, f.mail.Messages())
	require.Len(t, f.phone.Messages(), 1)
	status, ch, _, detail := f.logRow(t, "k-noemail")
	require.Equal(t, []string{"fallback", "sms"}, []string{status, ch})
	require.Contains(t, detail, "no email address")
	j := f.journal(t, "dunning.")
	require.Len(t, j, 1)
	require.Equal(t, "dunning.sms.fallback", j[0].Action)

	again := f.run(t, f.action("k-noemail", domain.ChannelEmail, "C2", "I3"))
	require.Equal(t, activities.ExecuteResult{Key: "k-noemail", Status: "fallback", Channel: domain.ChannelSMS, AlreadyDone: true}, again)
	require.Len(t, f.phone.Messages(), 1)
}

func TestInvalidEmailAddressIsPermanentAndFallsBack(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.st.Pool.Exec(context.Background(), `UPDATE customers SET email = 'not an address' WHERE id = $1`, f.ids["C1"])
	require.NoError(t, err)
	res := f.run(t, f.action("k-bademail", domain.ChannelEmail, "C1", "I1"))
	require.Equal(t, []any{domain.MessageFallback, domain.ChannelSMS}, []any{res.Status, res.Channel})
	require.Contains(t, res.Detail, "email:")
	require.Empty(t, f.mail.Messages())
	require.Len(t, f.phone.Messages(), 1)
}

func TestRejectedNumberFallsBackToEmail(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.tw.RejectNumber("+447700900001", 21211)
	res := f.run(t, f.action("k-badphone", domain.ChannelSMS, "C1", "I1"))
	require.Equal(t, []any{domain.MessageFallback, domain.ChannelEmail}, []any{res.Status, res.Channel})
	require.Len(t, f.mail.Messages(), 1)
	require.Empty(t, f.phone.Messages())
}

func TestNoChannelCreatesManualContactTask(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.run(t, f.action("k-none", domain.ChannelEmail, "C4", "I5"))
	require.Equal(t, []any{domain.MessageFallback, domain.ChannelTask}, []any{res.Status, res.Channel})
	require.Contains(t, res.Detail, "manual contact")
	require.Equal(t, 1, f.taskCount(t, "k-none"))
	var kind, role string
	var assignee *int64
	require.NoError(t, f.st.Pool.QueryRow(context.Background(),
		`SELECT kind, assignee_role, assignee_id FROM tasks WHERE key = 'k-none'`).Scan(&kind, &role, &assignee))
	require.Equal(t, []string{"call", "agent"}, []string{kind, role})
	require.NotNil(t, assignee, "the customer's agent")
	require.Empty(t, f.mail.Messages())
	require.Empty(t, f.phone.Messages())
}

func TestSMTPDownIsRetryableAndSucceedsOnRetry(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := ln.Addr().String()
	require.NoError(t, ln.Close())
	deadMailer, err := notify.NewMailer("smtp://"+dead, "ar@recoup.example")
	require.NoError(t, err)
	down := activities.Dunning{Store: f.d.Store, Mailer: deadMailer, Twilio: f.d.Twilio, Templates: f.d.Templates,
		StatusCallbackURL: f.d.StatusCallbackURL, Log: f.d.Log}

	in := f.action("k-down", domain.ChannelEmail, "C1", "I1")
	_, err = execute(t, newEnv(&down), &down, in)
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		require.False(t, appErr.NonRetryable(), "a temporary failure is left to the retry policy")
	}
	status, _, _, _ := f.logRow(t, "k-down")
	require.Equal(t, "sending", status)
	require.Empty(t, f.journal(t, "dunning."))
	require.Empty(t, f.phone.Messages(), "a temporary failure does not fall back")

	res := f.run(t, in)
	require.Equal(t, []any{domain.MessageSent, domain.ChannelEmail, false}, []any{res.Status, res.Channel, res.AlreadyDone})
	require.Len(t, f.mail.Messages(), 1)
	status, _, _, _ = f.logRow(t, "k-down")
	require.Equal(t, "sent", status)
}

func TestTwilioDownIsRetryable(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.tw.FailNext(10)
	in := f.action("k-twdown", domain.ChannelSMS, "C2", "I3")
	_, err := execute(t, f.env, f.d, in)
	require.Error(t, err)
	status, _, _, _ := f.logRow(t, "k-twdown")
	require.Equal(t, "sending", status)
	f.tw.FailNext(0)
	require.Equal(t, domain.MessageSent, f.run(t, in).Status)
	require.Len(t, f.phone.Messages(), 1)
}

func TestTaskAndEscalationCreateOneTaskEach(t *testing.T) {
	t.Parallel()
	f := setup(t)
	task := f.action("k-task", domain.ChannelTask, "C1", "I1", "I2")
	esc := f.action("k-esc", domain.ChannelEscalation, "C1", "I1", "I2")
	for range 2 {
		res := f.run(t, task)
		require.Equal(t, domain.MessageSent, res.Status)
		require.Equal(t, domain.ChannelTask, res.Channel)
		require.Equal(t, domain.MessageSent, f.run(t, esc).Status)
	}
	require.Equal(t, 1, f.taskCount(t, "k-task"))
	require.Equal(t, 1, f.taskCount(t, "k-esc"))
	ctx := context.Background()
	var kind, role string
	var assignee *int64
	var due time.Time
	require.NoError(t, f.st.Pool.QueryRow(ctx, `SELECT kind, assignee_role, assignee_id, due_at FROM tasks WHERE key = 'k-task'`).
		Scan(&kind, &role, &assignee, &due))
	require.Equal(t, []string{"call", "agent"}, []string{kind, role})
	require.NotNil(t, assignee)
	require.WithinDuration(t, task.Action.TaskDue, due, time.Millisecond)
	require.NoError(t, f.st.Pool.QueryRow(ctx, `SELECT kind, assignee_role, assignee_id FROM tasks WHERE key = 'k-esc'`).
		Scan(&kind, &role, &assignee))
	require.Equal(t, []string{"escalation", "credit_manager"}, []string{kind, role})
	require.Nil(t, assignee, "no credit manager user: the role's queue")
	require.Len(t, f.journal(t, "task.create"), 2)
	j := f.journal(t, "dunning.")
	require.Len(t, j, 2)
	require.Equal(t, []string{"dunning.task.sent", "dunning.escalation.sent"}, []string{j[0].Action, j[1].Action})
	require.Empty(t, f.mail.Messages())
}

func TestCreditHoldPutsAccountOnHold(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.run(t, f.action("k-hold", domain.ChannelCreditHold, "C1", "I1"))
	require.Equal(t, []any{domain.MessageSent, domain.ChannelCreditHold}, []any{res.Status, res.Channel})
	var onHold bool
	var since *time.Time
	require.NoError(t, f.st.Pool.QueryRow(context.Background(),
		`SELECT on_hold, on_hold_since FROM customers WHERE id = $1`, f.ids["C1"]).Scan(&onHold, &since))
	require.True(t, onHold)
	require.NotNil(t, since)
	require.Len(t, f.journal(t, "customer.credit_hold"), 1)
	j := f.journal(t, "dunning.")
	require.Len(t, j, 1)
	require.Equal(t, "dunning.credit_hold.sent", j[0].Action)
	require.EqualValues(t, 3, j[0].After["scenario_version"])
}

func TestPaidInBetweenIsSkipped(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.st.Pool.Exec(context.Background(),
		`UPDATE invoices SET open_minor = 0, status = 'paid' WHERE id = ANY($1)`, []int64{f.ids["I1"], f.ids["I2"]})
	require.NoError(t, err)
	res := f.run(t, f.action("k-paid", domain.ChannelEmail, "C1", "I1", "I2"))
	require.Equal(t, domain.MessageSkipped, res.Status)
	require.Empty(t, f.mail.Messages())
	j := f.journal(t, "dunning.")
	require.Len(t, j, 1)
	require.Equal(t, "dunning.email.skipped", j[0].Action)
	require.EqualValues(t, 3, j[0].After["scenario_version"])
	require.True(t, f.run(t, f.action("k-paid", domain.ChannelEmail, "C1", "I1", "I2")).AlreadyDone)
}

func TestPartlyPaidListsOnlyOpenInvoices(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.st.Pool.Exec(context.Background(), `UPDATE invoices SET open_minor = 0, status = 'paid' WHERE id = $1`, f.ids["I1"])
	require.NoError(t, err)
	f.run(t, f.action("k-part", domain.ChannelEmail, "C1", "I1", "I2"))
	msgs := f.mail.Messages()
	require.Len(t, msgs, 1)
	require.NotContains(t, msgs[0].Text, "INV-1001")
	require.Contains(t, msgs[0].Text, "INV-1002")
}

func TestUnknownCustomerIsNonRetryable(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.action("k-ghost", domain.ChannelEmail, "C1", "I1")
	in.CustomerID = 999999
	_, err := execute(t, f.env, f.d, in)
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.True(t, appErr.NonRetryable())
	require.Equal(t, activities.ErrTypeBadInput, appErr.Type())
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A merged message (the statement rules) goes once and the message log
// records every (invoice, step, repeat) it covers.
func TestMergedEmailRecordsWhatItCovers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.action("k-merged", domain.ChannelEmail, "C1", "I1", "I2")
	in.Action.Covered = []dunning.Covered{
		{InvoiceID: f.ids["I1"], ScenarioID: 7, StepID: "email-15"},
		{InvoiceID: f.ids["I2"], ScenarioID: 7, StepID: "email-0"},
	}
	res := f.run(t, in)
	require.Equal(t, domain.MessageSent, res.Status)
	require.True(t, f.run(t, in).AlreadyDone, "the same key never goes twice")
	require.Len(t, f.mail.Messages(), 1, "one email for both invoices")
	var covered []dunning.Covered
	var raw []byte
	require.NoError(t, f.st.Pool.QueryRow(context.Background(), `SELECT covered FROM message_log WHERE key = 'k-merged'`).Scan(&raw))
	require.NoError(t, json.Unmarshal(raw, &covered))
	require.Equal(t, in.Action.Covered, covered)
	for _, part := range []string{f.mail.Messages()[0].Text} {
		require.Contains(t, part, "INV-1001")
		require.Contains(t, part, "INV-1002")
	}
}
