package app_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/auth"
	"recoup/capture"
	"recoup/domain"
	"recoup/dunning"
	"recoup/inbound"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/templates"
)

// portalBundle is one account seen through a portal session.
type portalBundle struct {
	a    *app.App
	st   *store.Store
	rows *storetest.Factory
	s    app.PortalSession
	eur  money.Currency
}

func setupPortal(t *testing.T) portalBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	b := portalBundle{a: app.New(st, nil, nil), st: st, rows: storetest.NewFactory(pool), eur: money.MustCurrency("EUR")}
	customer := b.rows.Customer(t, storetest.Customer{ExternalID: "C1", Name: "Boulangerie Martin", Email: "ap@martin.example", Language: "en"})
	token, hash := auth.NewPortalToken(true)
	require.Len(t, token, auth.PortalShortTokenLen)
	_, err := st.IssuePortalLink(context.Background(), store.PortalLinkWrite{CustomerID: customer, Hash: hash, Contact: "ap@martin.example"})
	require.NoError(t, err)
	b.s, _, err = b.a.OpenPortal(context.Background(), token)
	require.NoError(t, err)
	require.Equal(t, customer, b.s.CustomerID)
	return b
}

// The statement the PDF prints is the email statement's: the same items and
// the same totals per currency, every item kept (an email lists at most 100).
func TestThePortalStatementHasTheEmailStatementsFigures(t *testing.T) {
	t.Parallel()
	b := setupPortal(t)
	ctx := context.Background()
	due := dunning.DateOf(time.Now()).AddDays(-20)
	var ids []int64
	for i := range 120 {
		ids = append(ids, b.rows.Invoice(t, storetest.Invoice{Customer: b.s.CustomerID, DueDate: due.AddDays(i),
			Amount: money.Money{Minor: int64(1000 + i), Currency: b.eur}}))
	}
	b.rows.Invoice(t, storetest.Invoice{Customer: b.s.CustomerID, Type: domain.TypeCreditNote, Amount: money.Money{Minor: 5000, Currency: b.eur}})
	b.rows.Invoice(t, storetest.Invoice{Customer: b.s.CustomerID, Amount: money.Money{Minor: 777, Currency: b.eur}, Status: domain.StatusDisputed})

	mc, err := b.st.MessageContext(ctx, b.s.CustomerID, ids[:2])
	require.NoError(t, err)
	email, err := mc.TemplateData(time.Now(), "en")
	require.NoError(t, err)
	pdf, c, err := b.a.PortalStatement(ctx, b.s, "en")
	require.NoError(t, err)
	require.Equal(t, "C1", c.ExternalID)

	require.Len(t, email.Balances, 1)
	require.Len(t, pdf.Balances, 1)
	// By hand: 120 invoices of 10.00 to 11.19 (126,140 minor), a credit note of 50.00; the disputed invoice is not asked for.
	want := money.Money{Minor: 120*1000 + 119*120/2, Currency: b.eur}
	require.Equal(t, want, pdf.Balances[0].Outstanding)
	require.Equal(t, money.Money{Minor: -5000, Currency: b.eur}, pdf.Balances[0].Credits)
	require.Equal(t, money.Money{Minor: want.Minor - 5000, Currency: b.eur}, pdf.Balances[0].NetDue)
	for _, field := range []func(b templates.Balance) money.Money{
		func(b templates.Balance) money.Money { return b.Outstanding }, func(b templates.Balance) money.Money { return b.Overdue },
		func(b templates.Balance) money.Money { return b.Credits }, func(b templates.Balance) money.Money { return b.NetDue },
	} {
		require.Equal(t, field(email.Balances[0]), field(pdf.Balances[0]))
	}
	require.Len(t, pdf.Statement, 121, "every open item")
	require.Equal(t, 121, email.OpenItems(), "the email counts them all too")
	require.Less(t, len(email.Statement), 121, "the email lists fewer")
}

// A promise past the entity's limit is refused; a mixed list with another
// account's invoice is not found and records nothing.
func TestAPortalPromiseKeepsToTheAccountAndTheLimit(t *testing.T) {
	t.Parallel()
	b := setupPortal(t)
	ctx := context.Background()
	mine := b.rows.Invoice(t, storetest.Invoice{Customer: b.s.CustomerID, Amount: money.Money{Minor: 10000, Currency: b.eur}})
	other := b.rows.Customer(t, storetest.Customer{ExternalID: "C2"})
	theirs := b.rows.Invoice(t, storetest.Invoice{Customer: other, Amount: money.Money{Minor: 10000, Currency: b.eur}})
	today := dunning.DateOf(time.Now())

	_, err := b.a.PortalPromise(ctx, b.s, app.PortalPromiseRequest{InvoiceIDs: []int64{mine, theirs}, Date: today.AddDays(3).String()})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "%v", err)
	_, err = b.a.PortalPromise(ctx, b.s, app.PortalPromiseRequest{InvoiceIDs: []int64{mine}, Date: today.AddDays(31).String()})
	require.ErrorContains(t, err, "at most 30 days ahead")
	_, err = b.a.PortalPromise(ctx, b.s, app.PortalPromiseRequest{InvoiceIDs: []int64{mine}, Date: today.AddDays(-2).String()})
	require.ErrorContains(t, err, "in the past")
	p, err := b.a.PortalPromise(ctx, b.s, app.PortalPromiseRequest{InvoiceIDs: []int64{mine}, Date: today.AddDays(30).String()})
	require.NoError(t, err)
	require.Equal(t, int64(10000), p.Amount.Minor)
	require.Equal(t, "portal", p.Source)
	_, err = b.a.PortalPromise(ctx, b.s, app.PortalPromiseRequest{InvoiceIDs: []int64{mine}, Date: today.AddDays(5).String()})
	require.ErrorContains(t, err, "already disputed, promised or in a plan")
}

// A plan request must add up to the invoices' total; it becomes a message
// case for the agent with the schedule in its text.
func TestAPortalPlanRequestBecomesACase(t *testing.T) {
	t.Parallel()
	b := setupPortal(t)
	ctx := context.Background()
	inv := b.rows.Invoice(t, storetest.Invoice{Customer: b.s.CustomerID, Number: "F-9", Amount: money.Money{Minor: 30000, Currency: b.eur}})
	req := app.PortalPlanRequest{InvoiceIDs: []int64{inv}, Instalments: []app.InstalmentRequest{{Date: "2030-01-10", AmountMinor: 10000},
		{Date: "2030-02-10", AmountMinor: 10000}}}
	_, err := b.a.PortalRequestPlan(ctx, b.s, req)
	require.ErrorContains(t, err, "they add up to 200.00 EUR; the invoices owe 300.00 EUR")
	req.Instalments[1].AmountMinor = 20000
	k, err := b.a.PortalRequestPlan(ctx, b.s, req)
	require.NoError(t, err)
	require.Equal(t, domain.CaseCustomerMessage, k.Type)
	require.Equal(t, "portal", k.Source)
	require.Contains(t, k.Description, "F-9")
	require.Contains(t, k.Description, "2. 2030-02-10: 200.00 EUR")
	p, ok := app.PlanRequestOf(k.Case)
	require.True(t, ok, "the proposal is kept structured")
	require.Equal(t, app.PlanProposal{Currency: "EUR", TotalMinor: 30000, Invoices: []app.ProposedInvoice{{InvoiceID: inv, Number: "F-9", OpenMinor: 30000}},
		Instalments: req.Instalments}, p)
}

// planRequestBundle is a plan request waiting for the agent, with the
// portal's emails captured over SMTP.
type planRequestBundle struct {
	portalBundle
	a     *app.App
	mail  *capture.Mailbox
	staff domain.Principal
	inv   int64
	k     app.OpenedCase
}

func setupPlanRequest(t *testing.T) planRequestBundle {
	t.Helper()
	b := planRequestBundle{portalBundle: setupPortal(t), staff: domain.Principal{UserID: 7, Email: "claire@acme.example", Role: domain.RoleAdmin, AllEntities: true}}
	var err error
	b.mail, err = capture.NewMailbox("")
	require.NoError(t, err)
	srv, err := capture.ListenSMTP("127.0.0.1:0", b.mail, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	portal, err := app.ConfiguredPortal("https://ar.example", "smtp://"+srv.Addr(), "Recoup <ar@recoup.example>")
	require.NoError(t, err)
	b.a = app.New(b.st, nil, nil, app.WithPortal(portal))
	b.inv = b.rows.Invoice(t, storetest.Invoice{Customer: b.s.CustomerID, Number: "F-9", Amount: money.Money{Minor: 30000, Currency: b.eur}})
	b.k, err = b.a.PortalRequestPlan(context.Background(), b.s, app.PortalPlanRequest{InvoiceIDs: []int64{b.inv},
		Instalments: []app.InstalmentRequest{{Date: "2030-01-10", AmountMinor: 10000}, {Date: "2030-02-10", AmountMinor: 20000}}})
	require.NoError(t, err)
	return b
}

// Accepting a plan request records the plan as proposed (RecordPlan), decides
// the case, tells the customer by email and in the portal thread; it cannot
// be accepted twice.
func TestAcceptingAPlanRequestRecordsThePlanAndTellsTheCustomer(t *testing.T) {
	t.Parallel()
	b := setupPlanRequest(t)
	ctx := context.Background()

	out, err := b.a.AcceptPlanRequest(ctx, b.staff, b.k.ID, "agreed on the phone")
	require.NoError(t, err)
	require.Equal(t, []int64{b.inv}, out.Plan.InvoiceIDs)
	require.Equal(t, money.Money{Minor: 30000, Currency: b.eur}, out.Plan.Total)
	require.Len(t, out.Plan.Instalments, 2)
	require.Equal(t, int64(20000), out.Plan.Instalments[1].Amount)
	plans, err := b.st.Plans(ctx, b.s.CustomerID)
	require.NoError(t, err)
	require.Len(t, plans, 1)

	k, err := b.st.Case(ctx, store.Everything, b.k.ID)
	require.NoError(t, err)
	require.Equal(t, domain.CaseDecided, k.Status)
	require.Equal(t, domain.DecisionApproved, k.Decision)
	require.Contains(t, k.DecisionReason, "agreed on the phone")

	thread, err := b.a.PortalThread(ctx, b.s, b.k.ID)
	require.NoError(t, err)
	require.NotNil(t, thread.Plan)
	require.Equal(t, domain.DecisionApproved, thread.Case.Decision)

	msgs := b.mail.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, "Your payment plan with Entity E1 is accepted", msgs[0].Subject)
	require.Contains(t, msgs[0].Text, "F-9")
	require.Regexp(t, `https://ar\.example/portal/l/[A-Za-z0-9_-]{43}`, msgs[0].Text)

	_, err = b.a.AcceptPlanRequest(ctx, b.staff, b.k.ID, "")
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "%v", err)
	require.Len(t, mustPlans(t, b), 1, "no second plan")
}

// An invoice paid or changed since the request makes acceptance a clear
// conflict that names it, and records nothing; the agent refuses instead,
// and the customer reads why.
func TestAPlanRequestWhoseInvoicesChangedIsRefusedNotAccepted(t *testing.T) {
	t.Parallel()
	b := setupPlanRequest(t)
	ctx := context.Background()
	_, err := b.st.Pool.Exec(ctx, `UPDATE invoices SET open_minor = 12000 WHERE id = $1`, b.inv)
	require.NoError(t, err)

	_, err = b.a.AcceptPlanRequest(ctx, b.staff, b.k.ID, "")
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "%v", err)
	require.ErrorContains(t, err, "F-9 owes 120.00 EUR, not the 300.00 EUR it owed at the request")
	require.Empty(t, mustPlans(t, b))
	k, err := b.st.Case(ctx, store.Everything, b.k.ID)
	require.NoError(t, err)
	require.Equal(t, domain.CaseOpen, k.Status)

	for _, wrong := range []domain.Decision{domain.DecisionApproved, domain.DecisionDone} {
		_, err = b.a.DecideCase(ctx, b.staff, b.k.ID, app.DecideRequest{Decision: string(wrong), Reason: "x"})
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "%s: %v", wrong, err)
	}
	_, err = b.a.DecideCase(ctx, b.staff, b.k.ID, app.DecideRequest{Decision: "refused", Reason: "Part was paid: please propose a plan for the rest."})
	require.NoError(t, err)
	thread, err := b.a.PortalThread(ctx, b.s, b.k.ID)
	require.NoError(t, err)
	require.Equal(t, domain.DecisionRefused, thread.Case.Decision)
	require.Equal(t, "Part was paid: please propose a plan for the rest.", thread.Case.DecisionReason)
	msgs := b.mail.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, "Your payment plan request to Entity E1", msgs[0].Subject)
	require.Contains(t, msgs[0].Text, "Part was paid: please propose a plan for the rest.")

	// A message that proposes no plan is neither approved nor refused: it is done.
	m, err := b.a.PortalMessage(ctx, b.s, "Hello", nil)
	require.NoError(t, err)
	_, err = b.a.DecideCase(ctx, b.staff, m.ID, app.DecideRequest{Decision: "refused", Reason: "x"})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "%v", err)
	_, err = b.a.AcceptPlanRequest(ctx, b.staff, m.ID, "")
	require.ErrorContains(t, err, "proposes no payment plan")
}

func mustPlans(t *testing.T, b planRequestBundle) []store.Plan {
	t.Helper()
	plans, err := b.st.Plans(context.Background(), b.s.CustomerID)
	require.NoError(t, err)
	return plans
}

// The portal's emails: a promise is confirmed, and a team member's answer
// to a message written in the portal reaches the customer with a link back.
func TestThePortalEmailsConfirmationsAndTheTeamsReplies(t *testing.T) {
	t.Parallel()
	b := setupPortal(t)
	ctx := context.Background()
	mail, err := capture.NewMailbox("")
	require.NoError(t, err)
	srv, err := capture.ListenSMTP("127.0.0.1:0", mail, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	portal, err := app.ConfiguredPortal("https://ar.example", "smtp://"+srv.Addr(), "Recoup <ar@recoup.example>")
	require.NoError(t, err)
	a := app.New(b.st, nil, nil, app.WithPortal(portal))

	inv := b.rows.Invoice(t, storetest.Invoice{Customer: b.s.CustomerID, Number: "F-7", Amount: money.Money{Minor: 12345, Currency: b.eur}})
	_, err = a.PortalPromise(ctx, b.s, app.PortalPromiseRequest{InvoiceIDs: []int64{inv}, Date: dunning.DateOf(time.Now()).AddDays(3).String()})
	require.NoError(t, err)
	k, err := a.PortalMessage(ctx, b.s, "Where is the delivery note?", nil)
	require.NoError(t, err)
	_, err = a.CommentCase(ctx, domain.System("inbound"), k.ID, app.CommentRequest{Text: "a system note is not a reply"})
	require.NoError(t, err)
	staff := domain.Principal{UserID: 7, Email: "claire@acme.example", Role: domain.RoleAdmin, AllEntities: true}
	_, err = a.CommentCase(ctx, staff, k.ID, app.CommentRequest{Text: "Attached to your invoice F-7 now."})
	require.NoError(t, err)

	msgs := mail.Messages()
	require.Len(t, msgs, 2, "the confirmation and the one reply")
	if !strings.HasPrefix(msgs[0].Subject, "Your promise") {
		msgs[0], msgs[1] = msgs[1], msgs[0]
	}
	require.Equal(t, []string{"ap@martin.example"}, msgs[0].To)
	require.Contains(t, msgs[0].Subject, "Your promise to pay: 123.45 EUR by ")
	require.Contains(t, msgs[0].Text, "F-7")
	require.Equal(t, []string{"ap@martin.example"}, msgs[1].To)
	require.Contains(t, msgs[1].Text, "Attached to your invoice F-7 now.")
	require.Regexp(t, `https://ar\.example/portal/l/[A-Za-z0-9_-]{43}`, msgs[1].Text)
	require.NotContains(t, msgs[1].Text, "claire@acme.example")
}

// A message case follows the conversation: the team's answer that the
// customer reads leaves the case waiting for the customer (its SLA clock
// paused); the customer's next word in the portal opens it again. Other
// notes move nothing.
func TestAPortalConversationMovesTheCaseBetweenOpenAndWaiting(t *testing.T) {
	t.Parallel()
	b := setupPortal(t)
	ctx := context.Background()
	staff := domain.Principal{UserID: 7, Email: "claire@acme.example", Role: domain.RoleAdmin, AllEntities: true}
	k, err := b.a.PortalMessage(ctx, b.s, "Where is the delivery note?", nil)
	require.NoError(t, err)
	require.Equal(t, domain.CaseOpen, k.Status)

	steps := []struct {
		name string
		say  func() error
		want domain.CaseStatus
	}{
		{"a system note is no answer", func() error {
			_, err := b.a.CommentCase(ctx, domain.System("inbound"), k.ID, app.CommentRequest{Text: "logged"})
			return err
		}, domain.CaseOpen},
		{"the team answers", func() error {
			_, err := b.a.CommentCase(ctx, staff, k.ID, app.CommentRequest{Text: "Attached now."})
			return err
		}, domain.CaseWaitingCustomer},
		{"the team adds a word while it waits", func() error {
			_, err := b.a.CommentCase(ctx, staff, k.ID, app.CommentRequest{Text: "And the copy."})
			return err
		}, domain.CaseWaitingCustomer},
		{"the customer answers in the portal", func() error {
			return b.a.PortalReply(ctx, b.s, k.ID, "Thank you, but it is the wrong one.", nil)
		}, domain.CaseOpen},
		{"the customer writes again", func() error {
			return b.a.PortalReply(ctx, b.s, k.ID, "It is note 12.", nil)
		}, domain.CaseOpen},
	}
	for _, step := range steps {
		require.NoError(t, step.say(), step.name)
		got, err := b.st.Case(ctx, store.Everything, k.ID)
		require.NoError(t, err)
		require.Equal(t, step.want, got.Status, step.name)
	}
	journal, err := b.st.CaseJournal(ctx, k.ID, 100)
	require.NoError(t, err)
	var moves []string
	for _, e := range journal {
		if e.Action == "case.status" {
			moves = append(moves, e.Actor)
		}
	}
	require.Equal(t, []string{staff.Actor(), "ap@martin.example (portal)"}, moves, "each move journaled by who made it")

	// A case the team opened itself is not the customer's conversation.
	own, err := b.a.OpenCase(ctx, staff, app.CaseRequest{Type: string(domain.CaseCustomerMessage), CustomerID: b.s.CustomerID, Description: "called us"})
	require.NoError(t, err)
	_, err = b.a.CommentCase(ctx, staff, own.ID, app.CommentRequest{Text: "noted"})
	require.NoError(t, err)
	got, err := b.st.Case(ctx, store.Everything, own.ID)
	require.NoError(t, err)
	require.Equal(t, domain.CaseOpen, got.Status)
}

// The portal's emails are signed as the reminders are: when the entity
// receives replies, the team's answer carries the account's reply address
// and a Message-ID naming the case, so the customer's answer by email lands
// on that case and opens it again; an answer naming another account's case
// does not reach it.
func TestAnEmailAnswerToThePortalsReplyLandsOnItsCase(t *testing.T) {
	t.Parallel()
	b := setupPlanRequest(t)
	ctx := context.Background()
	cust, err := b.st.PortalCustomer(ctx, b.s.CustomerID)
	require.NoError(t, err)
	_, err = b.a.SetEntitySender(ctx, b.staff, cust.EntityCode, app.SenderRequest{ReplyDomain: "replies.example.com"})
	require.NoError(t, err)
	k, err := b.a.PortalMessage(ctx, b.s, "Where is the delivery note?", nil)
	require.NoError(t, err)
	_, err = b.a.CommentCase(ctx, b.staff, k.ID, app.CommentRequest{Text: "Which invoice?"})
	require.NoError(t, err)

	msgs := b.mail.Messages()
	require.Len(t, msgs, 1)
	replyTo := strings.Join(msgs[0].Header["Reply-To"], "")
	require.Regexp(t, `reply\+[a-z2-7]{26}@replies\.example\.com`, replyTo)
	address := regexp.MustCompile(`reply\+[a-z2-7]{26}@replies\.example\.com`).FindString(replyTo)
	require.True(t, strings.HasPrefix(msgs[0].MessageID, "<portal/case/"+strconv.FormatInt(k.ID, 10)+"/"), msgs[0].MessageID)

	answer := func(id, inReplyTo string) app.Received {
		r, err := b.a.ReceiveCustomerEmail(ctx, inbound.Envelope{To: []string{address}}, inbound.Message{From: "ap@martin.example",
			MessageID: id, InReplyTo: []string{inReplyTo}, Subject: "Re: " + msgs[0].Subject, Text: "Invoice F-9."})
		require.NoError(t, err)
		return r
	}
	r := answer("a1@martin.example", strings.Trim(msgs[0].MessageID, "<>"))
	require.False(t, r.Case.Opened)
	require.Equal(t, k.ID, r.Case.CaseID, "the answer is on the case")
	got, err := b.st.Case(ctx, store.Everything, k.ID)
	require.NoError(t, err)
	require.Equal(t, domain.CaseOpen, got.Status, "the case waited for the customer; it runs again")

	other := b.rows.Customer(t, storetest.Customer{ExternalID: "C9"})
	theirs, err := b.a.OpenCase(ctx, b.staff, app.CaseRequest{Type: string(domain.CaseCustomerMessage), CustomerID: other, Description: "theirs"})
	require.NoError(t, err)
	r = answer("a2@martin.example", "portal/case/"+strconv.FormatInt(theirs.ID, 10)+"/reply/x@recoup")
	require.NotEqual(t, theirs.ID, r.Case.CaseID)
	require.True(t, r.Case.Opened, "a case of its own account")
}
