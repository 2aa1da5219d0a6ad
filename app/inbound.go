package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/inbound"
	"recoup/store"
)

// Soft bounces: this many of one address within the window make it
// undeliverable, as a hard bounce does at once.
const (
	SoftBounceLimit  = 3
	SoftBounceWindow = 7 * 24 * time.Hour
)

// replyActor is who pauses an account when its customer replies.
const replyActor = "customer-reply"

// AcceptRecipient answers the inbound listener at RCPT TO: it takes mail for
// the reply addresses of the entities' reply domains whose token names an
// account, and refuses anything else (inbound.Rejection: 550).
func (a *App) AcceptRecipient(ctx context.Context, rcpt string) error {
	token, dom, ok := inbound.SplitReplyAddress(rcpt)
	if !ok {
		return inbound.Reject("%s is not an address", rcpt)
	}
	known, err := a.store.ReplyDomainKnown(ctx, dom)
	if err != nil {
		return err
	}
	if !known {
		return inbound.Reject("Recoup does not receive mail for %s", dom)
	}
	acct, found, err := a.store.AccountByReplyToken(ctx, token)
	switch {
	case err != nil:
		return err
	case !found || acct.ReplyDomain != dom:
		return inbound.Reject("no such reply address %s", rcpt)
	}
	return nil
}

// Received says what ReceiveCustomerEmail did with one message.
type Received struct {
	CustomerID int64
	Kind       string // store.InboundReply, InboundAutoReply or InboundBounce
	Duplicate  bool   // its Message-ID was received before: nothing done
	// Quarantined: the sender is not a contact of the account; an agent
	// confirms (it is then processed as a reply) or discards it.
	Quarantined bool
	Case        store.ReplyCase
	Paused      string // how the account's reminders were paused, or why not
	Bounce      store.BounceOutcome
}

// ReceiveCustomerEmail processes an email received on an account's reply
// address (the inbound SMTP listener, the IMAP poller):
//   - a delivery status notification is a bounce: RecordBounce marks the
//     address (hard, or soft repeated SoftBounceLimit times in SoftBounceWindow);
//   - an automatic reply (out of office, bulk) is recorded and journaled, and
//     pauses and opens nothing;
//   - a reply from one of the account's contacts goes on the open case of
//     its thread (In-Reply-To, References) as a comment, else opens a
//     customer_message case; the account's agent is notified and its
//     reminders pause for the entity's reply_pause_days business days;
//   - a reply from another address is quarantined for an agent.
//
// A message whose Message-ID was received before does nothing again.
// A reply's attachments that pass ValidateAttachment go on its case; the
// others are described on the case with why they were refused.
func (a *App) ReceiveCustomerEmail(ctx context.Context, env inbound.Envelope, m inbound.Message) (Received, error) {
	acct, err := a.inboundAccount(ctx, env, m)
	if err != nil {
		return Received{}, err
	}
	e := inboundEmail(acct.CustomerID, m, a.attachMax)
	out := Received{CustomerID: acct.CustomerID, Kind: e.Kind}
	switch {
	case m.Bounce != nil:
		return a.receiveBounce(ctx, out, e, m)
	case m.AutoReply != "":
		_, fresh, err := a.store.RecordInbound(ctx, e)
		out.Duplicate = !fresh
		return out, err
	case !slices.Contains(acct.Contacts, m.From):
		e.Status = store.InboundQuarantined
		rec, fresh, err := a.store.RecordInbound(ctx, e)
		out.Duplicate, out.Quarantined = !fresh, true
		if err == nil && fresh {
			a.log.InfoContext(ctx, "customer email quarantined", "customer", acct.CustomerID, "inbound", rec.ID, "from", m.From)
		}
		return out, err
	}
	if out.Case, err = a.store.ReceiveReply(ctx, e); err != nil || out.Case.Duplicate {
		out.Duplicate = out.Case.Duplicate
		return out, err
	}
	out.Paused = a.afterReply(ctx, acct, out.Case, m.Subject)
	return out, nil
}

// ReceiveEmail is ReceiveCustomerEmail for the inbound listener (inbound.Receiver).
func (a *App) ReceiveEmail(ctx context.Context, env inbound.Envelope, m inbound.Message) error {
	r, err := a.ReceiveCustomerEmail(ctx, env, m)
	if err == nil {
		a.log.InfoContext(ctx, "customer email received", "customer", r.CustomerID, "kind", r.Kind, "duplicate", r.Duplicate,
			"quarantined", r.Quarantined, "case", r.Case.CaseID, "paused", r.Paused)
	}
	return err
}

// inboundAccount finds the account an email is about: the token of the
// reply address it was sent to, else (a bounce sent to another address)
// the account the bounced message was sent to.
func (a *App) inboundAccount(ctx context.Context, env inbound.Envelope, m inbound.Message) (store.InboundAccount, error) {
	for _, rcpt := range env.To {
		token, _, ok := inbound.SplitReplyAddress(rcpt)
		if !ok || token == "" {
			continue
		}
		acct, found, err := a.store.AccountByReplyToken(ctx, token)
		if err != nil || found {
			return acct, err
		}
	}
	if m.Bounce != nil && m.Bounce.OriginalMessageID != "" {
		sent, found, err := a.store.SentMessageByRef(ctx, "<"+m.Bounce.OriginalMessageID+">")
		if err != nil {
			return store.InboundAccount{}, err
		}
		if found {
			return store.InboundAccount{CustomerID: sent.CustomerID}, nil
		}
	}
	return store.InboundAccount{}, inbound.Reject("no account has the reply address %s", strings.Join(env.To, ", "))
}

// inboundEmail is the record of a message on an account.
func inboundEmail(customerID int64, m inbound.Message, maxFile int64) store.InboundEmail {
	e := store.InboundEmail{MessageID: m.MessageID, CustomerID: customerID, Kind: store.InboundReply, Status: store.InboundProcessed,
		From: m.From, FromName: m.FromName, Subject: m.Subject, Body: m.Text, FromHTML: m.FromHTML, AutoReply: m.AutoReply,
		InReplyTo: append(slices.Clone(m.InReplyTo), m.References...)}
	if e.MessageID == "" {
		// No Message-ID: one of its content, so a redelivery is still recognised.
		sum := sha256.Sum256([]byte(m.From + "\n" + m.Date.String() + "\n" + m.Subject + "\n" + m.Text))
		e.MessageID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	e.ThreadIDs = append([]string{e.MessageID}, e.InReplyTo...)
	switch {
	case m.Bounce != nil:
		e.Kind = store.InboundBounce
	case m.AutoReply != "":
		e.Kind = store.InboundAutoReply
	}
	for _, at := range m.Attachments {
		d := store.InboundAttachment{Name: at.Name, ContentType: at.ContentType, Size: len(at.Data)}
		if typ, err := ValidateAttachment(at.Name, at.Data, maxFile); err != nil {
			d.Refused = err.Error()
		} else {
			e.Files = append(e.Files, store.NewAttachment{FileName: at.Name, ContentType: typ, Content: at.Data})
		}
		e.Attachments = append(e.Attachments, d)
	}
	return e
}

func (a *App) receiveBounce(ctx context.Context, out Received, e store.InboundEmail, m inbound.Message) (Received, error) {
	b := m.Bounce
	if b.Recipient == "" || (!strings.HasPrefix(b.Status, "4") && !strings.HasPrefix(b.Status, "5")) {
		// A DSN that reports no failure (delivered, relayed) marks nothing.
		_, fresh, err := a.store.RecordInbound(ctx, e)
		out.Duplicate = !fresh
		return out, err
	}
	rec := store.BounceRecord{Email: e, Address: b.Recipient, Hard: b.Hard(), Status: b.Status, Diagnostic: b.Diagnostic,
		SoftLimit: SoftBounceLimit, SoftWindow: SoftBounceWindow}
	if b.OriginalMessageID != "" {
		sent, found, err := a.store.SentMessageByRef(ctx, "<"+b.OriginalMessageID+">")
		if err != nil {
			return out, err
		}
		if found && sent.CustomerID == e.CustomerID {
			rec.MessageKey = sent.Key
		}
	}
	var err error
	out.Bounce, err = a.store.RecordBounce(ctx, rec)
	out.Duplicate = out.Bounce.Duplicate
	if err == nil && out.Bounce.Undeliverable {
		a.log.InfoContext(ctx, "customer address undeliverable", "customer", e.CustomerID, "address", b.Recipient, "status", b.Status)
		// The account plans again: its next reminder goes to another address or channel.
		a.AccountsChanged(ctx, Change{CustomerIDs: []int64{e.CustomerID}})
	}
	return out, err
}

// afterReply tells the case's workflow (a new case starts its own) and
// pauses the account's reminders; it answers what became of the pause.
// Temporal being unreachable loses neither: the reply is recorded, and the
// answer says the pause did not happen.
func (a *App) afterReply(ctx context.Context, acct store.InboundAccount, rc store.ReplyCase, subject string) string {
	if a.flow != nil {
		if rc.Opened {
			if k, err := a.store.Case(ctx, store.Everything, rc.CaseID); err == nil {
				a.startCase(ctx, k)
			}
		} else if err := a.flow.CommentCase(ctx, rc.CaseID, flow.CaseComment{CommentID: rc.CommentID, Author: rc.Author}); err != nil {
			a.log.WarnContext(ctx, "signal case comment", "case", rc.CaseID, "err", err)
		}
	}
	if !rc.Opened {
		// The answer the case waited for: its SLA clock runs again.
		if k, err := a.store.Case(ctx, store.Everything, rc.CaseID); err == nil && k.Status == domain.CaseWaitingCustomer {
			c := store.CaseStatusChange{CaseID: rc.CaseID, Status: domain.CaseOpen, Reason: "the customer replied", By: rc.Author}
			if err := a.changeCaseStatus(ctx, c); err != nil {
				a.log.WarnContext(ctx, "start the clock of a case the customer answered", "case", rc.CaseID, "err", err)
			}
		}
	}
	said, err := a.pauseForReply(ctx, acct, rc.CaseID, subject, rc.At)
	if err != nil {
		a.log.WarnContext(ctx, "pause after a reply", "customer", acct.CustomerID, "err", err)
		return "not paused yet (" + err.Error() + "): it is paused when Temporal is back"
	}
	a.paid(ctx, store.OutboxReplyPause, rc.InboundID, 0)
	return said
}

// payReplyPause pauses the account of a reply received while Temporal was
// away (or before this process could): the pause counts from the reply.
func (a *App) payReplyPause(ctx context.Context, inboundID int64) error {
	e, err := a.store.InboundEmail(ctx, inboundID)
	if err != nil {
		return err
	}
	acct, err := a.store.InboundAccountOf(ctx, e.CustomerID)
	if err != nil {
		return err
	}
	var caseID int64
	if e.CaseID != nil {
		caseID = *e.CaseID
	}
	said, err := a.pauseForReply(ctx, acct, caseID, e.Subject, e.ReceivedAt)
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "pause after a reply, caught up", "customer", acct.CustomerID, "inbound", inboundID, "outcome", said)
	return a.store.PaidTemporal(ctx, store.OutboxReplyPause, inboundID, 0)
}

// pauseForReply pauses the account for its entity's reply_pause_days
// business days from at (the reply's receipt), through the account's
// workflow; a longer pause already in place is kept, a shorter one extended.
// It says what became of the pause; an error is Temporal's, to try again.
func (a *App) pauseForReply(ctx context.Context, acct store.InboundAccount, caseID int64, subject string, at time.Time) (string, error) {
	if acct.PauseDays == 0 {
		return "not paused: the entity's reply_pause_days is 0", nil
	}
	if a.flow == nil {
		return "", flow.ErrUnavailable
	}
	cal, err := a.store.CaseCalendar(ctx, acct.EntityID)
	if err != nil {
		return "", err
	}
	until := ReplyPauseEnd(at, cal, acct.PauseDays)
	if !until.After(time.Now()) {
		return "not paused: the pause the reply called for is over", nil
	}
	st, err := a.flow.Status(ctx, acct.CustomerID)
	switch {
	case domain.ErrorCode(err) == domain.CodeNotFound:
		return "not paused: no dunning workflow runs for the account (nothing is being chased)", nil
	case err != nil:
		return "", err
	case st.Pause.Paused && (st.Pause.Until.IsZero() || !st.Pause.Until.Before(until)):
		return "already paused until " + untilText(st.Pause.Until), nil
	case st.Pause.Paused:
		if _, err := a.flow.Resume(ctx, acct.CustomerID, flow.ResumeRequest{By: replyActor}); err != nil {
			return "", err
		}
	}
	req := flow.PauseRequest{Until: until, By: replyActor,
		Reason: fmt.Sprintf("the customer replied (case %d: %s)", caseID, domain.Clip(subject, 100))}
	ps, err := a.flow.Pause(ctx, acct.CustomerID, req)
	if err != nil {
		return "", err
	}
	after, _ := json.Marshal(ps)
	if err := a.store.Append(ctx, store.Entry{Actor: replyActor, Action: "dunning.pause", Target: customerTarget(acct.CustomerID),
		After: after}); err != nil {
		a.log.ErrorContext(ctx, "journal a reply's pause", "customer", acct.CustomerID, "err", err)
	}
	return "paused until " + untilText(ps.Until), nil
}

// ReplyPauseEnd is when a pause of days business days that starts at now
// ends: midnight (the entity's time zone) after the days-th business day
// following today, by the entity's calendar and holidays.
func ReplyPauseEnd(now time.Time, cal store.CaseCalendar, days int) time.Time {
	loc, err := time.LoadLocation(cal.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	c, _ := dunning.NewCalendarWith(cal.Country, cal.Holidays)
	d := dunning.DateOf(now.In(loc))
	for i := 0; i < days; i++ {
		d = c.NextBusinessDay(d.AddDays(1))
	}
	return d.AddDays(1).In(loc).UTC()
}

func untilText(t time.Time) string {
	if t.IsZero() {
		return "resumed by hand"
	}
	return t.UTC().Format(time.RFC3339)
}

// QuarantineList lists the replies from senders who are not contacts of
// their account, inside who's perimeter, newest first.
func (a *App) QuarantineList(ctx context.Context, who domain.Principal, page domain.Page) ([]store.InboundEmail, int64, error) {
	if err := allow(who, auth.CasesRead); err != nil {
		return nil, 0, err
	}
	return a.store.Quarantine(ctx, perimeter(who), page)
}

// QuarantineDecision confirms or discards a quarantined reply.
type QuarantineDecision struct {
	Decision string `json:"decision"` // confirm or discard
}

// DecideQuarantine confirms a quarantined reply (it is processed as one from
// a contact: case, notification, pause) or discards it; journaled.
func (a *App) DecideQuarantine(ctx context.Context, who domain.Principal, id int64, req QuarantineDecision) (Received, error) {
	if err := allow(who, auth.CasesOpen); err != nil {
		return Received{}, err
	}
	var confirm bool
	switch req.Decision {
	case "confirm":
		confirm = true
	case "discard":
	default:
		return Received{}, domain.FieldError("decision", "%q: want confirm or discard", req.Decision)
	}
	e, rc, err := a.store.DecideQuarantined(ctx, perimeter(who), id, confirm, who.Actor())
	out := Received{CustomerID: e.CustomerID, Kind: e.Kind, Case: rc}
	if err != nil || !confirm {
		return out, err
	}
	acct, err := a.store.InboundAccountOf(ctx, e.CustomerID)
	if err != nil {
		return out, err
	}
	out.Paused = a.afterReply(ctx, acct, rc, e.Subject)
	return out, nil
}
