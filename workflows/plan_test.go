package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/dunning"
	"recoup/flow"
	"recoup/store"
	"recoup/workflows"
)

// ledgerPlan is a payment plan on one invoice as the ledger keeps it,
// followed by the same rule as store.CheckPlan (tolerance: 3 days, 0 minor units).
type ledgerPlan struct {
	invoice int64
	total   int64
	dates   []dunning.Date
	amounts []int64
	next    int // the first instalment not yet checked
	status  store.PlanStatus
	missed  int
}

const planTolerance = 3

// plan records a plan on the invoice and holds it through its first instalment's check.
func (l *ledger) plan(invoice int64, dates []dunning.Date, amounts []int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.plans = append(l.plans, &ledgerPlan{invoice: invoice, total: l.openNow(invoice), dates: dates, amounts: amounts, status: store.PlanOpen})
	l.holdPlan(l.plans[len(l.plans)-1])
}

func (l *ledger) holdPlan(p *ledgerPlan) {
	for i := range l.acct.Items {
		if l.acct.Items[i].InvoiceID == p.invoice {
			l.acct.Items[i].PromiseUntil = nil
			if p.status == store.PlanOpen {
				until := p.dates[p.next].AddDays(planTolerance)
				l.acct.Items[i].PromiseUntil = &until
			}
			if p.status == store.PlanBroken {
				l.acct.Items[i].Escalated = true
			}
		}
	}
}

func (l *ledger) planHolds() []store.PromiseHold {
	var out []store.PromiseHold
	for i, p := range l.plans {
		if p.status == store.PlanOpen {
			out = append(out, store.PromiseHold{ID: int64(i + 1), Kind: store.HoldPlan, Until: p.dates[p.next].AddDays(planTolerance),
				Kept: l.openNow(p.invoice) == 0})
		}
	}
	return out
}

func (l *ledger) checkPlan(in activities.CheckPromiseInput) activities.CheckPromiseResult {
	p := l.plans[in.PromiseID-1]
	open := l.openNow(p.invoice)
	paid := p.total - open
	changed := false
	var cumulative int64
	for i := range p.next {
		cumulative += p.amounts[i]
	}
	for p.status == store.PlanOpen && p.next < len(p.dates) {
		cumulative += p.amounts[p.next]
		switch {
		case open == 0:
		case !in.Today.After(p.dates[p.next].AddDays(planTolerance)):
			return activities.CheckPromiseResult{Settled: changed}
		case paid < cumulative:
			p.status, p.missed = store.PlanBroken, p.next+1
			l.holdPlan(p)
			return activities.CheckPromiseResult{Settled: true}
		}
		p.next++
		changed = true
		if p.next == len(p.dates) {
			p.status = store.PlanCompleted
		}
		l.holdPlan(p)
	}
	return activities.CheckPromiseResult{Settled: changed}
}

func (l *ledger) planState(id int64) ledgerPlan {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *l.plans[id-1]
}

// Invoice 7 (1,000.00 EUR, due Friday 16 Jan 2026) goes into a plan on 15
// Jan: 500.00 on Friday 30 Jan, 500.00 on Friday 27 Feb, 3 days' tolerance.
func TestDunningFollowsAPaymentPlan(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	day := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	dates := []dunning.Date{dunning.NewDate(2026, 1, 30), dunning.NewDate(2026, 2, 27)}

	for _, tt := range []struct {
		name     string
		payments map[time.Duration]int64 // after the start: minor units paid
		want     store.PlanStatus
		missed   int
		sent     []string
	}{
		{
			name:     "the first instalment two days late (inside the tolerance), the second on time: completed",
			payments: map[time.Duration]int64{day(27): 50000, day(50): 50000}, // Sun 1 Feb, Wed 25 Feb
			want:     store.PlanCompleted,
			sent:     []string{"2026-01-12 email reminder_courtesy"},
		},
		{
			name:     "the second instalment missed: broken and escalated",
			payments: map[time.Duration]int64{day(25): 50000}, // Fri 30 Jan
			want:     store.PlanBroken, missed: 2,
			sent: []string{
				"2026-01-12 email reminder_courtesy",
				// Held through 2 Mar (the second instalment's date + 3 days): on 3 Mar the plan is
				// broken and the invoice, escalated, catches up at its latest step only.
				"2026-03-03 escalation escalation_review",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, l := setupDunning(t, start, dunning.NewDate(2026, 1, 16))
			env.RegisterDelayedCallback(func() {
				l.plan(7, dates, []int64{50000, 50000})
				env.SignalWorkflow(flow.SignalInvoicesChanged, nil)
			}, day(10))
			for at, minor := range tt.payments {
				env.RegisterDelayedCallback(func() {
					l.payPart(7, minor)
					if l.openNowLocked(7) == 0 {
						l.pay(7)
					}
					env.SignalWorkflow(flow.SignalInvoicesChanged, nil)
				}, at)
			}
			env.RegisterDelayedCallback(func() {
				require.Equal(t, []string{"2026-01-12 email reminder_courtesy"}, l.days(start), "no reminder while the plan holds")
			}, day(56)) // Sun 1 Mar
			env.RegisterDelayedCallback(func() { l.pay(7); env.SignalWorkflow(flow.SignalInvoicesChanged, nil) }, day(120))

			env.ExecuteWorkflow(workflows.Dunning, flow.DunningInput{CustomerID: 42})
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			p := l.planState(1)
			require.Equal(t, tt.want, p.status)
			require.Equal(t, tt.missed, p.missed)
			require.Equal(t, tt.sent, l.days(start))
		})
	}
}
