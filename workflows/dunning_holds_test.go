package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/dunning"
	"recoup/flow"
	"recoup/workflows"
)

// An invoice hold goes through an update: validated, recorded by the
// activity (whose refusal is the update's answer), then the account is
// evaluated again at once.
func TestDunningHoldAndReleaseInvoice(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	env, l := setupDunning(t, start, dunning.NewDate(2026, 1, 16))
	acts := &activities.Accounts{}
	held := map[int64]bool{}
	env.OnActivity(acts.HoldInvoice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in flow.HoldInvoiceRequest) (flow.InvoiceHold, error) {
			if held[in.InvoiceID] {
				return flow.InvoiceHold{}, temporal.NewNonRetryableApplicationError("invoice 7 is already held", activities.ErrTypeRefused, nil)
			}
			held[in.InvoiceID] = true
			l.mu.Lock()
			l.acct.Items[0].Hold = &dunning.Hold{Until: in.Until, Reason: in.Reason}
			l.mu.Unlock()
			return flow.InvoiceHold{ID: 1, InvoiceID: in.InvoiceID, Reason: in.Reason, HeldBy: in.By}, nil
		})
	env.OnActivity(acts.ReleaseInvoice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in flow.ReleaseInvoiceRequest) (flow.InvoiceHold, error) {
			if !held[in.InvoiceID] {
				return flow.InvoiceHold{}, temporal.NewNonRetryableApplicationError("invoice 7 is not held", activities.ErrTypeRefused, nil)
			}
			delete(held, in.InvoiceID)
			return flow.InvoiceHold{ID: 1, InvoiceID: in.InvoiceID, ReleaseReason: in.Reason}, nil
		})

	type result struct {
		rejected, failed string
		hold             flow.InvoiceHold
	}
	update := func(name string, arg any) *result {
		r := &result{}
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { r.rejected = err.Error() },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				if err != nil {
					r.failed = err.Error()
					return
				}
				r.hold = v.(flow.InvoiceHold)
			},
		}, arg)
		return r
	}
	status := func() flow.DunningStatus {
		v, err := env.QueryWorkflow(flow.QueryStatus)
		require.NoError(t, err)
		var st flow.DunningStatus
		require.NoError(t, v.Get(&st))
		return st
	}
	hold := flow.HoldInvoiceRequest{CustomerID: 42, InvoiceID: 7, Reason: "customer checks the delivery", By: "bob", Key: "h1"}
	release := flow.ReleaseInvoiceRequest{CustomerID: 42, InvoiceID: 7, Reason: "delivery confirmed", By: "bob", Key: "r1"}
	var results []*result
	var evaluatedBefore time.Time
	noReason := hold
	noReason.Reason = ""
	other := hold
	other.CustomerID = 43
	// One update a minute: the activities of updates sent together run in any order.
	steps := []func(){
		func() { results = append(results, update(flow.UpdateReleaseInvoice, release)) }, // not held
		func() { results = append(results, update(flow.UpdateHoldInvoice, noReason)) },
		func() { results = append(results, update(flow.UpdateHoldInvoice, other)) },
		func() {
			evaluatedBefore = status().LastEvaluated
			results = append(results, update(flow.UpdateHoldInvoice, hold))
		},
		func() {
			require.True(t, status().LastEvaluated.After(evaluatedBefore), "a hold evaluates the account again")
			results = append(results, update(flow.UpdateHoldInvoice, hold)) // already held
		},
		func() { results = append(results, update(flow.UpdateReleaseInvoice, release)) },
	}
	for i, step := range steps {
		env.RegisterDelayedCallback(step, 24*time.Hour+time.Duration(i)*time.Minute)
	}
	env.RegisterDelayedCallback(func() { l.pay(7); env.SignalWorkflow(flow.SignalInvoicesChanged, nil) }, 3*24*time.Hour)

	env.ExecuteWorkflow(workflows.Dunning, flow.DunningInput{CustomerID: 42})
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, results, 6)
	require.Contains(t, results[0].failed, "invoice 7 is not held", "%+v", *results[0])
	require.Contains(t, results[1].rejected, "reason is required")
	require.Contains(t, results[2].rejected, "another account")
	require.Empty(t, results[3].rejected+results[3].failed)
	require.Equal(t, "bob", results[3].hold.HeldBy)
	require.Contains(t, results[4].failed, "invoice 7 is already held")
	require.Empty(t, results[5].rejected+results[5].failed)
	require.Equal(t, "delivery confirmed", results[5].hold.ReleaseReason)
}
