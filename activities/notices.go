package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/metrics"
	"recoup/money"
	"recoup/store"
	"recoup/templates"
)

// Notices sends the customer notices of promises to pay and payment plans
// (the CustomerNotice workflow): a plan's confirmation with its schedule, and
// the reminder the day before a promised date or an instalment when the
// account's scenario asks for it (dunning.Settings.RemindBeforePromise).
// Each goes through the message log under its own key, like every reminder:
// sent once, journaled, in the account's timeline.
type Notices struct {
	Store *store.Store
	// Outbound renders (the shipped templates with the saved ones laid over)
	// and sends (its Mailer) the way reminders are.
	Outbound *Dunning
	// Account reads an account's time zone, contact window and open items
	// with their scenarios (settings included); nil: Store.AccountSnapshot.
	Account func(ctx context.Context, customerID int64) (dunning.Account, error)
	Now     func() time.Time // nil: time.Now
}

func (n *Notices) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Notices) account(ctx context.Context, customerID int64) (dunning.Account, error) {
	if n.Account != nil {
		return n.Account(ctx, customerID)
	}
	a, _, err := n.Store.AccountSnapshot(ctx, customerID)
	return a, err
}

// noticeOpening is when a reminder goes out on an account contactable at any
// time: a reminder at midnight helps nobody.
const noticeOpening = 9 * time.Hour

// remindAt is the day before due, when the contact window opens on the account's clock.
func remindAt(due dunning.Date, a dunning.Account) time.Time {
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	open := a.Window.Start
	if open == 0 && (a.Window.AnyTime || a.Window.End == 0) {
		open = noticeOpening
	}
	day := due.AddDays(-1).In(time.UTC)
	return time.Date(day.Year(), day.Month(), day.Day(), int(open/time.Hour), int(open%time.Hour/time.Minute), 0, 0, loc).UTC()
}

// today is the account's date now.
func (n *Notices) today(a dunning.Account) dunning.Date {
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return dunning.DateOf(n.now().In(loc))
}

// NoticeSchedule answers the reminders still ahead of a promise (one, the
// day before its date) or of a plan (one the day before each pending
// instalment), each when the entity's contact window opens on the account's
// clock. Whether they are sent is decided when they are due (SendNotice).
func (n *Notices) NoticeSchedule(ctx context.Context, in flow.NoticeInput) (flow.NoticeSchedule, error) {
	var out flow.NoticeSchedule
	subject, err := n.subject(ctx, in)
	if err != nil {
		return out, badInput(err)
	}
	a, err := n.account(ctx, subject.customerID)
	if err != nil {
		return out, badInput(err)
	}
	now := n.now()
	for _, p := range subject.payments {
		r := flow.NoticeReminder{Key: flow.ReminderKey(in.Kind, in.ID, p.seq), Seq: p.seq, Due: p.due, At: remindAt(p.due, a), Amount: p.amount}
		if p.pending && r.At.After(now) {
			out.Reminders = append(out.Reminders, r)
		}
	}
	return out, nil
}

// SendNotice sends one notice once (its key in the message log) by email, in
// the customer's language (else the entity's, else English):
//
//   - a rejected dispute's answer (its reason) while the case stays rejected
//     in that round;
//   - a plan's confirmation while the plan is open;
//   - a reminder only while the promise or instalment is open and unpaid
//     (payments since, a cancel, a broken plan skip it), before its date on
//     the account's clock, and when a scenario of the covered open invoices
//     has RemindBeforePromise on.
//
// A reminder that does not apply is answered "skipped" without touching the
// message log. A temporary failure (SMTP, the database) is an error for the
// retry policy; the key stays "sending", so the retry sends again.
func (n *Notices) SendNotice(ctx context.Context, in flow.SendNoticeInput) (flow.SendNoticeResult, error) {
	res := flow.SendNoticeResult{Key: in.Key, Status: string(domain.MessageSkipped)}
	if in.Key == "" || (in.Template == templates.DisputeRejected) != (in.Kind == flow.NoticeDisputeRejected) ||
		!slices.Contains(templates.NoticeNames, in.Template) {
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("notice %q with template %q", in.Key, in.Template), ErrTypeBadInput, nil)
	}
	subject, err := n.subject(ctx, in.NoticeInput)
	if err != nil {
		return res, badInput(err)
	}
	if subject.customerID != in.CustomerID {
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s %d is not customer %d's", in.Kind, in.ID, in.CustomerID), ErrTypeBadInput, nil)
	}
	// A confirmation lists the schedule; a reminder names its one payment; a
	// dispute's answer neither.
	schedule, pay := subject.schedule(), templates.Instalment{}
	if in.Template == templates.DisputeRejected {
		if !subject.open {
			res.Detail = "the dispute is no longer rejected"
			return res, nil
		}
		schedule = nil
	} else if in.Template == templates.PromiseReminder {
		why, err := n.reminderApplies(ctx, in, subject)
		if err != nil || why != "" {
			res.Detail = why
			return res, err
		}
		i := slices.IndexFunc(subject.payments, func(p payment) bool { return p.seq == in.Seq })
		pay, schedule = schedule[i], nil
		pay.Number = in.Seq
	} else if !subject.open {
		res.Detail = "the plan is no longer open"
		return res, nil
	}

	claimed, status, err := n.Store.ClaimMessage(ctx, store.MessageClaim{Key: in.Key, CustomerID: in.CustomerID,
		WorkflowID: in.WorkflowID, Channel: domain.ChannelEmail, InvoiceIDs: subject.invoiceIDs})
	if err != nil {
		return res, badInput(err)
	}
	if !claimed && status != domain.MessageSending {
		res.Status, res.AlreadyDone = string(status), true
		metrics.Message(string(domain.ChannelEmail), metrics.OutcomeDuplicatePrevented)
		return res, nil
	}
	full, err := n.Store.MessageContext(ctx, in.CustomerID, subject.invoiceIDs)
	if err != nil {
		return res, badInput(err)
	}
	full.Schedule, full.Payment, full.Dispute = schedule, pay, subject.dispute
	out := outcome{status: domain.MessageSkipped, channel: domain.ChannelEmail, detail: "no invoice of the " + in.Kind + " is still open"}
	if len(full.Invoices) > 0 {
		// The entity's sending gates apply to notices as to reminders.
		ex := ExecuteInput{CustomerID: in.CustomerID, WorkflowID: in.WorkflowID, Action: dunning.Action{Key: in.Key,
			Step: dunning.Step{Template: in.Template, Channel: domain.ChannelEmail}, Channel: domain.ChannelEmail, InvoiceIDs: subject.invoiceIDs}}
		if out, err = n.Outbound.sendOne(ctx, ex, domain.ChannelEmail, full); err != nil {
			n.Outbound.log().WarnContext(ctx, "notice failed, will be retried", "key", in.Key, "err", err)
			return res, err
		}
	}
	if err := n.Outbound.finish(ctx, in.Key, out,
		store.Entry{Actor: in.WorkflowID, Action: "notice." + in.Template + "." + string(out.status)}); err != nil {
		return res, err
	}
	res.Status, res.Detail = string(out.status), out.detail
	metrics.Message(string(out.channel), string(out.status))
	n.Outbound.log().DebugContext(ctx, "notice done", "key", in.Key, "customer_id", in.CustomerID, "status", out.status, "detail", out.detail)
	return res, nil
}

// reminderApplies says why the reminder in is not sent now ("" when it is).
func (n *Notices) reminderApplies(ctx context.Context, in flow.SendNoticeInput, s noticeSubject) (string, error) {
	i := slices.IndexFunc(s.payments, func(p payment) bool { return p.seq == in.Seq })
	if i < 0 {
		return "", temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s %d has no instalment %d", in.Kind, in.ID, in.Seq), ErrTypeBadInput, nil)
	}
	if !s.payments[i].pending {
		return "paid, or no longer open", nil
	}
	a, err := n.account(ctx, s.customerID)
	if err != nil {
		return "", badInput(err)
	}
	if !n.today(a).Before(s.payments[i].due) {
		return "too late: the payment is due " + s.payments[i].due.String(), nil
	}
	for _, it := range a.Items {
		if slices.Contains(s.invoiceIDs, it.InvoiceID) && a.Scenarios[it.ScenarioID].Settings.RemindBeforePromise {
			return "", nil
		}
	}
	return "the scenario of its invoices does not remind before promised payments", nil
}

// noticeSubject is a promise or plan as its notices see it.
type noticeSubject struct {
	customerID int64
	open       bool
	invoiceIDs []int64
	currency   money.Currency
	payments   []payment // a promise's one, a plan's instalments
	dispute    templates.DisputeAnswer
}

type payment struct {
	seq     int // 0: a promise
	due     dunning.Date
	amount  int64
	pending bool // open and not yet covered by what was paid
}

func (s noticeSubject) schedule() []templates.Instalment {
	out := make([]templates.Instalment, 0, len(s.payments))
	for _, p := range s.payments {
		out = append(out, templates.Instalment{Number: p.seq, Date: p.due.In(time.UTC), Amount: money.Money{Minor: p.amount, Currency: s.currency}})
	}
	return out
}

func (n *Notices) subject(ctx context.Context, in flow.NoticeInput) (noticeSubject, error) {
	switch in.Kind {
	case flow.NoticePromise:
		p, err := n.Store.PromiseNotice(ctx, in.ID)
		if err != nil {
			return noticeSubject{}, err
		}
		return noticeSubject{customerID: p.CustomerID, open: p.Status == store.PromiseOpen, invoiceIDs: p.InvoiceIDs,
			currency: p.Amount.Currency, payments: []payment{{due: p.Date, amount: p.Amount.Minor, pending: p.Unpaid()}}}, nil
	case flow.NoticePlan:
		p, err := n.Store.PlanNotice(ctx, in.ID)
		if err != nil {
			return noticeSubject{}, err
		}
		s := noticeSubject{customerID: p.CustomerID, open: p.Status == store.PlanOpen, invoiceIDs: p.InvoiceIDs, currency: p.Total.Currency}
		for _, i := range p.Instalments {
			s.payments = append(s.payments, payment{seq: i.Seq, due: i.Date, amount: i.Amount, pending: p.InstalmentUnpaid(i.Seq)})
		}
		return s, nil
	case flow.NoticeDisputeRejected:
		k, err := n.Store.Case(ctx, store.Everything, in.ID)
		if err != nil {
			return noticeSubject{}, err
		}
		// Still the answer to give: rejected in this round (not reopened since).
		s := noticeSubject{customerID: k.CustomerID, dispute: templates.DisputeAnswer{Number: k.ID, Reason: k.DecisionReason},
			open: k.Type == domain.CaseDispute && k.Decision == domain.DecisionRejected && k.Reopened == in.Round &&
				(k.Status == domain.CaseDecided || k.Status == domain.CaseClosed)}
		for _, ci := range k.Invoices {
			s.invoiceIDs = append(s.invoiceIDs, ci.InvoiceID)
		}
		return s, nil
	}
	return noticeSubject{}, domain.FieldError("kind", "%q: want %s, %s or %s", in.Kind, flow.NoticePromise, flow.NoticePlan,
		flow.NoticeDisputeRejected)
}
