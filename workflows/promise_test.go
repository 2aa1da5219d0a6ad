package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/dunning"
	"recoup/flow"
	"recoup/store"
	"recoup/workflows"
)

// ledgerPromise is a promise to pay as the ledger keeps it, settled by the
// same rule as store.CheckPromise.
type ledgerPromise struct {
	id             int64
	invoice        int64
	amount, cover  int64
	until          dunning.Date
	status         store.PromiseStatus
	checkedOn      dunning.Date
	checkedAtTimes int
}

// promise records a promise on the invoice, held through until, as the
// store does: the item carries the hold, the snapshot lists the promise.
func (l *ledger) promise(invoice, amount int64, until dunning.Date) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := &ledgerPromise{id: int64(len(l.promises) + 1), invoice: invoice, amount: amount, until: until, status: store.PromiseOpen}
	for i := range l.acct.Items {
		if l.acct.Items[i].InvoiceID == invoice {
			p.cover = l.acct.Items[i].OpenMinor
			l.acct.Items[i].PromiseUntil = &until
		}
	}
	l.promises = append(l.promises, p)
}

// payPart lowers the invoice's open amount.
func (l *ledger) payPart(invoice, minor int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.acct.Items {
		if l.acct.Items[i].InvoiceID == invoice {
			l.acct.Items[i].OpenMinor -= minor
		}
	}
}

// openNow is what is left open of the invoice (0 once paid and gone). Callers hold mu.
func (l *ledger) openNow(invoice int64) int64 {
	for _, it := range l.acct.Items {
		if it.InvoiceID == invoice {
			return it.OpenMinor
		}
	}
	return 0
}

func (l *ledger) openNowLocked(invoice int64) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.openNow(invoice)
}

func (l *ledger) openPromises() []store.PromiseHold {
	var out []store.PromiseHold
	for _, p := range l.promises {
		if p.status == store.PromiseOpen {
			open := l.openNow(p.invoice)
			out = append(out, store.PromiseHold{ID: p.id, Until: p.until, Kept: open == 0 || p.cover-open >= p.amount})
		}
	}
	return out
}

func (l *ledger) checkPromise(_ context.Context, in activities.CheckPromiseInput) (activities.CheckPromiseResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if in.Kind == store.HoldPlan {
		return l.checkPlan(in), nil
	}
	p := l.promises[in.PromiseID-1]
	open := l.openNow(p.invoice)
	kept := open == 0 || p.cover-open >= p.amount
	if p.status != store.PromiseOpen || (!kept && !in.Today.After(p.until)) {
		return activities.CheckPromiseResult{}, nil
	}
	paid := p.cover - open
	switch {
	case kept:
		p.status = store.PromiseKept
	case paid > 0:
		p.status = store.PromisePartlyKept
	default:
		p.status = store.PromiseBroken
	}
	p.checkedOn = in.Today
	p.checkedAtTimes++
	for i := range l.acct.Items {
		if l.acct.Items[i].InvoiceID == p.invoice {
			l.acct.Items[i].PromiseUntil = nil
			if p.status == store.PromiseBroken { // the escalation task holds reminders, as the store does
				l.acct.Items[i].Escalated = true
			}
		}
	}
	return activities.CheckPromiseResult{Settled: true, Outcome: store.PromiseOutcome{PromiseID: p.id, Status: p.status, PaidMinor: paid}}, nil
}

func (l *ledger) promiseState(id int64) ledgerPromise {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *l.promises[id-1]
}

// Invoice 7 (1,000.00 EUR) is due Friday 16 Jan 2026; the account starts on
// Monday 5 Jan. On Thursday 15 Jan the customer promises to pay by Friday 30
// Jan; with 3 days' grace the invoice is held through Monday 2 Feb, and
// checked on Tuesday 3 Feb at 09:00 (the contact window's opening).
func TestDunningFollowsAPromiseToPay(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	due := dunning.NewDate(2026, 1, 16)
	until := dunning.NewDate(2026, 2, 2)
	promised := 10 * 24 * time.Hour // 15 Jan 08:00 UTC
	paidOn := 23 * 24 * time.Hour   // 28 Jan, before the promise date

	for _, tt := range []struct {
		name   string
		paid   int64 // minor units paid on 28 Jan
		amount int64 // minor units promised
		want   store.PromiseStatus
		on     dunning.Date // the day the promise is checked
		sent   []string
	}{
		{
			name: "kept: paid in full before the date, settled at once and the account ends", paid: 100000, amount: 100000,
			want: store.PromiseKept, on: dunning.NewDate(2026, 1, 28),
			sent: []string{"2026-01-12 email reminder_courtesy"},
		},
		{
			name: "partly kept: what is left is dunned again after date + grace", paid: 40000, amount: 100000,
			want: store.PromisePartlyKept, on: dunning.NewDate(2026, 2, 3),
			sent: []string{
				"2026-01-12 email reminder_courtesy",
				"2026-02-03 email reminder_2", // the latest step passed while held, caught up once
				"2026-02-16 email reminder_repeat",
				"2026-02-16 task call_customer",
				"2026-03-02 escalation escalation_review",
			},
		},
		{
			name: "broken: nothing paid, an escalation and no more automatic reminders", amount: 100000,
			want: store.PromiseBroken, on: dunning.NewDate(2026, 2, 3),
			sent: []string{
				"2026-01-12 email reminder_courtesy",
				"2026-02-16 task call_customer", // tasks still fire under an escalation; emails do not
				"2026-03-02 escalation escalation_review",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, l := setupDunning(t, start, due)
			env.RegisterDelayedCallback(func() {
				l.promise(7, tt.amount, until)
				env.SignalWorkflow(flow.SignalInvoicesChanged, nil)
			}, promised)
			if tt.paid > 0 {
				env.RegisterDelayedCallback(func() {
					l.payPart(7, tt.paid)
					if tt.paid == 100000 {
						l.pay(7)
					}
					env.SignalWorkflow(flow.SignalInvoicesChanged, nil)
				}, paidOn)
			}
			env.RegisterDelayedCallback(func() {
				require.Equal(t, []string{"2026-01-12 email reminder_courtesy"}, l.days(start),
					"no reminder goes out while the promise holds")
			}, 28*24*time.Hour+23*time.Hour) // Mon 2 Feb, late: the last day held
			env.RegisterDelayedCallback(func() { l.pay(7); env.SignalWorkflow(flow.SignalInvoicesChanged, nil) }, 120*24*time.Hour)

			env.ExecuteWorkflow(workflows.Dunning, flow.DunningInput{CustomerID: 42})
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			p := l.promiseState(1)
			require.Equal(t, tt.want, p.status)
			require.Equal(t, tt.on, p.checkedOn)
			require.Equal(t, 1, p.checkedAtTimes)
			require.Equal(t, tt.sent, l.days(start))
		})
	}
}
