package app_test

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/inbound"
	"recoup/store"
	"recoup/store/storetest"
)

// inboundBundle: an entity receiving replies on replies.example.com, a
// customer with two addresses and an agent, its reply address; no Temporal
// (pauses are tested end to end in integration/).
type inboundBundle struct {
	a        *app.App
	st       *store.Store
	pool     *pgxpool.Pool
	admin    domain.Principal
	agentID  int64
	customer int64
	reply    string // the customer's reply address
}

func setupInbound(t *testing.T) inboundBundle {
	t.Helper()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	b := inboundBundle{a: app.New(st, nil, nil), st: st, pool: pool,
		admin: domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}}
	entity := rows.Entity(t, storetest.Entity{Code: "FR01"})
	b.agentID = rows.User(t, storetest.User{Email: "agent@example.com", Role: domain.RoleAgent})
	b.customer = rows.Customer(t, storetest.Customer{Entity: entity, Agent: b.agentID,
		Email: "Jana Müller <Jana@example.com>; ap@example.com"})
	_, err := b.a.SetEntitySender(ctx, b.admin, "FR01", app.SenderRequest{ReplyDomain: "Replies.Example.com"})
	require.NoError(t, err)
	token, err := st.ReplyToken(ctx, b.customer, inbound.NewReplyToken())
	require.NoError(t, err)
	again, err := st.ReplyToken(ctx, b.customer, inbound.NewReplyToken())
	require.NoError(t, err)
	require.Equal(t, token, again, "one stable token per account")
	b.reply = inbound.ReplyAddress("", token, "replies.example.com")
	return b
}

// receive parses raw and hands it to ReceiveCustomerEmail as the listener does.
func (b inboundBundle) receive(t *testing.T, lines ...string) app.Received {
	t.Helper()
	m, err := inbound.Parse([]byte(strings.Join(lines, "\r\n")))
	require.NoError(t, err)
	r, err := b.a.ReceiveCustomerEmail(context.Background(), inbound.Envelope{From: m.From, To: []string{b.reply}}, m)
	require.NoError(t, err)
	return r
}

func (b inboundBundle) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

func (b inboundBundle) journal(t *testing.T, action string) int {
	return b.count(t, `SELECT count(*) FROM audit_journal WHERE target = $1 AND action = $2`, "customer/"+strconv.FormatInt(b.customer, 10), action)
}

func TestAcceptRecipientTakesOnlyReplyAddresses(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	ctx := context.Background()
	require.NoError(t, b.a.AcceptRecipient(ctx, b.reply))
	require.NoError(t, b.a.AcceptRecipient(ctx, strings.ToUpper(b.reply)), "case does not matter")
	for _, rcpt := range []string{
		"reply+" + strings.Repeat("a", 26) + "@replies.example.com", // no such token
		"reply@replies.example.com",                                 // no token
		strings.Replace(b.reply, "replies.example.com", "elsewhere.example", 1),
		"not an address",
	} {
		err := b.a.AcceptRecipient(ctx, rcpt)
		var rej *inbound.Rejection
		require.ErrorAs(t, err, &rej, rcpt)
	}
}

func TestCustomerReplyOpensACaseAndNotifiesTheAgent(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	ctx := context.Background()
	r := b.receive(t, "From: Jana Müller <jana@example.com>", "Subject: Re: Payment reminder", "Message-ID: <r1@example.com>",
		"In-Reply-To: <dunning-key@recoup>", "", "We paid INV-1 last week.")
	require.False(t, r.Duplicate)
	require.False(t, r.Quarantined)
	require.True(t, r.Case.Opened)
	require.Contains(t, r.Paused, "not paused", "no Temporal here: the answer says so")
	k, err := b.st.Case(ctx, store.Everything, r.Case.CaseID)
	require.NoError(t, err)
	require.Equal(t, domain.CaseCustomerMessage, k.Type)
	require.Equal(t, "customer_reply", k.Source)
	require.Equal(t, b.customer, k.CustomerID)
	require.Contains(t, k.Description, "We paid INV-1 last week.")
	require.Contains(t, k.Description, "Re: Payment reminder")

	list, _, unread, err := b.st.Notifications(ctx, b.agentID, true, domain.Page{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, int64(1), unread)
	require.Equal(t, store.NotifyCustomerReply, list[0].Kind)
	require.Equal(t, r.Case.CaseID, *list[0].CaseID)
	require.Equal(t, 1, b.journal(t, "inbound.reply"), "journaled on the account: its timeline shows it")

	// The customer writes again in the same thread: a comment on the open case.
	r2 := b.receive(t, "From: ap@example.com", "Subject: Re: Re: Payment reminder", "Message-ID: <r2@example.com>",
		"In-Reply-To: <r1@example.com>", "References: <dunning-key@recoup> <r1@example.com>", "", "Here is the receipt.")
	require.False(t, r2.Case.Opened)
	require.Equal(t, r.Case.CaseID, r2.Case.CaseID)
	comments, err := b.st.CaseComments(ctx, r.Case.CaseID)
	require.NoError(t, err)
	require.Len(t, comments, 1)
	require.Equal(t, "customer:ap@example.com", comments[0].Author)
	require.Contains(t, comments[0].Body, "Here is the receipt.")

	// A redelivery of the first message does nothing again.
	dup := b.receive(t, "From: Jana Müller <jana@example.com>", "Subject: Re: Payment reminder", "Message-ID: <r1@example.com>",
		"In-Reply-To: <dunning-key@recoup>", "", "We paid INV-1 last week.")
	require.True(t, dup.Duplicate)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM cases WHERE customer_id = $1`, b.customer))
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM notifications WHERE user_id = $1`, b.agentID))
	require.Equal(t, 2, b.journal(t, "inbound.reply"))

	// A reply outside the thread opens a case of its own.
	r3 := b.receive(t, "From: jana@example.com", "Subject: Another matter", "Message-ID: <r3@example.com>", "", "New question.")
	require.True(t, r3.Case.Opened)
	require.NotEqual(t, r.Case.CaseID, r3.Case.CaseID)
}

func TestAutoReplyIsRecordedButOpensNothing(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	r := b.receive(t, "From: jana@example.com", "Subject: Out of office", "Message-ID: <ooo@example.com>",
		"Auto-Submitted: auto-replied", "", "I am away until Monday.")
	require.Equal(t, store.InboundAutoReply, r.Kind)
	require.Zero(t, r.Case.CaseID)
	require.Empty(t, r.Paused, "an auto-reply pauses nothing")
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM cases WHERE customer_id = $1`, b.customer))
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM notifications`))
	require.Equal(t, 1, b.journal(t, "inbound.auto_reply"))
}

func TestReplyFromAnUnknownSenderIsQuarantined(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	ctx := context.Background()
	r := b.receive(t, "From: stranger@example.org", "Subject: Re: Payment reminder", "Message-ID: <q1@example.org>", "", "Who are you?")
	require.True(t, r.Quarantined)
	require.Zero(t, r.Case.CaseID)
	b.receive(t, "From: spam@example.org", "Subject: Buy now", "Message-ID: <q2@example.org>", "", "Offer.")
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM cases WHERE customer_id = $1`, b.customer))
	require.Equal(t, 2, b.journal(t, "inbound.quarantined"))

	list, total, err := b.a.QuarantineList(ctx, b.admin, domain.Page{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, int64(2), total)
	require.Equal(t, "spam@example.org", list[0].From, "newest first")

	confirmed, err := b.a.DecideQuarantine(ctx, b.admin, list[1].ID, app.QuarantineDecision{Decision: "confirm"})
	require.NoError(t, err)
	require.True(t, confirmed.Case.Opened, "confirmed: processed as a reply")
	_, err = b.a.DecideQuarantine(ctx, b.admin, list[0].ID, app.QuarantineDecision{Decision: "discard"})
	require.NoError(t, err)
	_, err = b.a.DecideQuarantine(ctx, b.admin, list[0].ID, app.QuarantineDecision{Decision: "confirm"})
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "decided once")
	_, err = b.a.DecideQuarantine(ctx, b.admin, list[0].ID, app.QuarantineDecision{Decision: "maybe"})
	requireInvalid(t, err, "bad decision", "decision")

	_, total, err = b.a.QuarantineList(ctx, b.admin, domain.Page{Limit: 10})
	require.NoError(t, err)
	require.Zero(t, total)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM cases WHERE customer_id = $1`, b.customer))
	require.Equal(t, 1, b.journal(t, "inbound.confirmed"))
	require.Equal(t, 1, b.journal(t, "inbound.discarded"))
}

// bounce is a DSN for address with status, about the message <k1@recoup>.
func bounce(id, address, status string) []string {
	return []string{"From: MAILER-DAEMON@mx.example.com", "Subject: Undelivered", "Message-ID: <" + id + "@mx.example.com>",
		"Content-Type: multipart/report; report-type=delivery-status; boundary=rep", "",
		"--rep", "Content-Type: text/plain", "", "Delivery failed.",
		"--rep", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.example.com", "",
		"Final-Recipient: rfc822; " + address, "Action: failed", "Status: " + status, "Diagnostic-Code: smtp; " + status + " no mailbox", "",
		"--rep--"}
}

func TestBouncesMarkAddressesUndeliverable(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	ctx := context.Background()
	undeliverable := func() []string {
		mc, err := b.st.MessageContext(ctx, b.customer, nil)
		require.NoError(t, err)
		return mc.Customer.Undeliverable
	}
	emailInvalid := func() bool {
		return b.count(t, `SELECT count(*) FROM customers WHERE id = $1 AND email_invalid_at IS NOT NULL`, b.customer) == 1
	}

	// Soft bounces count; the third within a week turns into a hard one.
	for i, want := range []bool{false, false, true} {
		r := b.receive(t, bounce("soft"+strconv.Itoa(i), "ap@example.com", "4.2.2")...)
		require.Equal(t, store.InboundBounce, r.Kind)
		require.Equal(t, i+1, r.Bounce.SoftCount)
		require.Equal(t, want, r.Bounce.Undeliverable, "soft bounce %d", i+1)
	}
	require.Equal(t, []string{"ap@example.com"}, undeliverable())
	require.False(t, emailInvalid(), "Jana's address still works: reminders go there")

	// A hard bounce of the last address: the email channel is marked invalid
	// (reminders fall back to texts and calls) and the agent gets a task.
	r := b.receive(t, bounce("hard", "jana@example.com", "5.1.1")...)
	require.True(t, r.Bounce.Undeliverable)
	require.True(t, r.Bounce.AllBounced)
	require.NotZero(t, r.Bounce.TaskID)
	require.ElementsMatch(t, []string{"ap@example.com", "jana@example.com"}, undeliverable())
	require.True(t, emailInvalid())
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM tasks WHERE customer_id = $1 AND kind = 'fix_contact'`, b.customer))
	require.Equal(t, 2, b.journal(t, "customer.email_undeliverable"))
	require.Equal(t, 4, b.journal(t, "inbound.bounce"))

	dup := b.receive(t, bounce("hard", "jana@example.com", "5.1.1")...)
	require.True(t, dup.Duplicate)
	require.Equal(t, 4, b.journal(t, "inbound.bounce"))
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM cases`), "a bounce opens no case")
}

func TestReplyPauseEndCountsBusinessDays(t *testing.T) {
	t.Parallel()
	cal := store.CaseCalendar{Country: "FR", TimeZone: "Europe/Paris"}
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	friday := time.Date(2026, 12, 4, 15, 0, 0, 0, paris)
	// Mon 7, Tue 8, Wed 9: paused until Thursday 10 at midnight, Paris.
	require.Equal(t, time.Date(2026, 12, 10, 0, 0, 0, 0, paris).UTC(), app.ReplyPauseEnd(friday, cal, 3))
	// A holiday on Tuesday 8 pushes it a day.
	cal.Holidays = []dunning.Date{dunning.NewDate(2026, 12, 8)}
	require.Equal(t, time.Date(2026, 12, 11, 0, 0, 0, 0, paris).UTC(), app.ReplyPauseEnd(friday, cal, 3))
}

// A reply's files go on its case, checked as an upload is: a good one is
// attached under the reply's comment, a disguised one is refused and only
// described, with why.
func TestReplyAttachmentsGoOnTheCaseWhenTheyPassTheChecks(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	ctx := context.Background()
	r := b.receive(t, withFiles([]string{"From: jana@example.com", "Subject: Proof of delivery", "Message-ID: <files@example.com>"},
		"See the signed note.", [2]string{"note.pdf", string(pdfFile)}, [2]string{"invoice.pdf", "<html><script>alert(1)</script></html>"})...)
	require.True(t, r.Case.Opened)

	files, err := b.st.CaseAttachments(ctx, r.Case.CaseID)
	require.NoError(t, err)
	require.Len(t, files, 1, "only the real PDF is attached")
	require.Equal(t, "note.pdf", files[0].FileName)
	require.Equal(t, "application/pdf", files[0].ContentType)
	require.Equal(t, "customer:jana@example.com", files[0].UploadedBy)
	k, err := b.st.Case(ctx, store.Everything, r.Case.CaseID)
	require.NoError(t, err)
	require.Contains(t, k.Description, "invoice.pdf")
	require.Contains(t, k.Description, "not attached:", "the refused file is described with why")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_journal WHERE target = $1 AND action = 'case.attach'`,
		"case/"+strconv.FormatInt(r.Case.CaseID, 10)))
}

// A case waiting for the customer runs its SLA clock again when the customer answers in its thread.
func TestReplyToACaseWaitingForTheCustomerStartsItsClock(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	ctx := context.Background()
	r := b.receive(t, "From: jana@example.com", "Subject: Question", "Message-ID: <w1@example.com>", "", "Is INV-1 right?")
	cm := domain.Principal{Role: domain.RoleCreditManager, Email: "cm@example.com", AllEntities: true}
	_, err := b.a.SetCaseStatus(ctx, cm, r.Case.CaseID, app.StatusRequest{Status: "waiting_customer", Reason: "asked for the order number"})
	require.NoError(t, err)

	b.receive(t, "From: jana@example.com", "Subject: Re: Question", "Message-ID: <w2@example.com>", "In-Reply-To: <w1@example.com>", "",
		"The order number is PO-7.")
	k, err := b.st.Case(ctx, store.Everything, r.Case.CaseID)
	require.NoError(t, err)
	require.Equal(t, domain.CaseOpen, k.Status)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM audit_journal WHERE target = $1 AND action = 'case.status'`,
		"case/"+strconv.FormatInt(r.Case.CaseID, 10)), "both moves of the clock are journaled")
}

// Without Temporal the reply is recorded and its account's pause is owed:
// the catch-up pauses it, counted from the reply, once Temporal is back.
func TestAReplysPauseIsOwedWhenTemporalIsAway(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	r := b.receive(t, "From: jana@example.com", "Subject: Paid", "Message-ID: <p1@example.com>", "", "We paid.")
	require.Contains(t, r.Paused, "it is paused when Temporal is back")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM temporal_outbox WHERE kind = 'reply.pause' AND done_at IS NULL`))
	b.receive(t, "From: jana@example.com", "Subject: Paid", "Message-ID: <p1@example.com>", "", "We paid.")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM temporal_outbox WHERE kind = 'reply.pause'`), "a redelivery owes nothing more")
	b.receive(t, "From: jana@example.com", "Auto-Submitted: auto-replied", "Subject: Out of office", "Message-ID: <p2@example.com>", "", "Away.")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM temporal_outbox WHERE kind = 'reply.pause'`), "an auto-reply pauses nothing")
}

// withFiles is a multipart email: the headers, a text part and each file
// (name, content) as an attachment announced as a PDF.
func withFiles(headers []string, text string, files ...[2]string) []string {
	lines := append(headers, "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/plain", "", text)
	for _, f := range files {
		lines = append(lines, "--b", `Content-Type: application/pdf; name="`+f[0]+`"`, `Content-Disposition: attachment; filename="`+f[0]+`"`,
			"Content-Transfer-Encoding: base64", "", base64.StdEncoding.EncodeToString([]byte(f[1])))
	}
	return append(lines, "--b--", "")
}

// A quarantined email's files wait for the agent: confirmed, they go on the
// reply's case; discarded, they are dropped.
func TestQuarantinedFilesWaitForTheAgentsDecision(t *testing.T) {
	t.Parallel()
	b := setupInbound(t)
	ctx := context.Background()
	for _, id := range []string{"qf1", "qf2"} {
		r := b.receive(t, withFiles([]string{"From: stranger@example.org", "Subject: Receipt", "Message-ID: <" + id + "@example.org>"},
			"Our receipt.", [2]string{"receipt.pdf", string(pdfFile)})...)
		require.True(t, r.Quarantined)
	}
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM inbound_files`))
	list, _, err := b.a.QuarantineList(ctx, b.admin, domain.Page{Limit: 10})
	require.NoError(t, err)

	confirmed, err := b.a.DecideQuarantine(ctx, b.admin, list[1].ID, app.QuarantineDecision{Decision: "confirm"})
	require.NoError(t, err)
	files, err := b.st.CaseAttachments(ctx, confirmed.Case.CaseID)
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, "receipt.pdf", files[0].FileName)
	_, err = b.a.DecideQuarantine(ctx, b.admin, list[0].ID, app.QuarantineDecision{Decision: "discard"})
	require.NoError(t, err)
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM inbound_files`), "nothing waits any more")
}
