package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
)

// Accounts holds the activities that read and change an account for the Dunning workflow.
type Accounts struct {
	Store *store.Store
}

// AccountSnapshot is what one evaluation of the Dunning workflow works from.
type AccountSnapshot struct {
	Account dunning.Account   `json:"account"`
	Meta    store.AccountMeta `json:"meta"`
	// Promises are the account's open promises to pay; their invoices carry
	// the hold (Item.PromiseUntil). Absent from histories recorded before promises.
	Promises []store.PromiseHold `json:"promises,omitempty"`
}

// LoadAccount reads the account's open items, scenarios and settings, and its open promises;
// it also lifts a credit hold its scenario releases once nothing is overdue
// (releaseSettledCreditHold), the one write here: every evaluation passes by.
//
// A customer in insolvency proceedings is not dunned: the snapshot has no
// items, so the planner sends nothing and the workflow ends, whether or not
// it was woken when the insolvency was recorded (no workflow change, no
// version). Its credit hold stays.
func (a *Accounts) LoadAccount(ctx context.Context, customerID int64) (AccountSnapshot, error) {
	acct, meta, err := a.Store.AccountSnapshot(ctx, customerID)
	if err != nil {
		return AccountSnapshot{Account: acct, Meta: meta}, err
	}
	if meta.LegalStatus.Insolvent() {
		acct.Items = nil
		return AccountSnapshot{Account: acct, Meta: meta}, nil
	}
	if acct.MessagesWait != "" { // stale data: one alert per entity and day, whichever account sees it first
		if _, err := a.Store.AlertStaleData(ctx, meta.EntityCode, customerID, acct.MessagesWait, time.Now()); err != nil {
			return AccountSnapshot{Account: acct, Meta: meta}, err
		}
	}
	promises, err := a.Store.OpenPromises(ctx, customerID)
	snap := AccountSnapshot{Account: acct, Meta: meta, Promises: promises}
	if err != nil {
		return snap, err
	}
	return snap, a.releaseSettledCreditHold(ctx, &snap, time.Now())
}

// CheckPromiseInput names an open promise whose hold ended (or that is kept)
// and the account's local date the workflow checks it on.
type CheckPromiseInput struct {
	CustomerID int64        `json:"customer_id"`
	PromiseID  int64        `json:"promise_id"`     // a promise's id, or a plan's
	Kind       string       `json:"kind,omitempty"` // "" a promise, store.HoldPlan a payment plan
	Today      dunning.Date `json:"today"`
	WorkflowID string       `json:"workflow_id"`
}

// CheckPromiseResult says what became of the promise; Settled is false when
// it was not due, or already settled (a retry, a cancel meanwhile).
type CheckPromiseResult struct {
	Settled bool                 `json:"settled"`
	Outcome store.PromiseOutcome `json:"outcome"`
	Plan    *store.PlanOutcome   `json:"plan,omitempty"` // a plan's outcome
}

// CheckPromise settles a promise: kept, partly kept, or broken with an
// escalation task for the agent (store.CheckPromise). Running it twice is
// harmless: a settled promise is left as it is.
//
// A payment plan is followed the same way, instalment by instalment
// (store.CheckPlan): Settled then says that something changed (an
// instalment met, the plan completed or broken).
func (a *Accounts) CheckPromise(ctx context.Context, in CheckPromiseInput) (CheckPromiseResult, error) {
	if in.Kind == store.HoldPlan {
		out, ok, err := a.Store.CheckPlan(ctx, in.CustomerID, in.PromiseID, in.Today, in.WorkflowID)
		return CheckPromiseResult{Settled: ok, Plan: &out}, err
	}
	out, ok, err := a.Store.CheckPromise(ctx, in.CustomerID, in.PromiseID, in.Today, in.WorkflowID)
	return CheckPromiseResult{Settled: ok, Outcome: out}, err
}

// ReassignInput names the account's new agent.
type ReassignInput struct {
	CustomerID int64  `json:"customer_id"`
	AgentEmail string `json:"agent_email"`
	By         string `json:"by"`
	WorkflowID string `json:"workflow_id"`
}

// Reassign records the account's new agent; running it twice is harmless.
// An unknown agent or customer will not become known by retrying.
func (a *Accounts) Reassign(ctx context.Context, in ReassignInput) error {
	err := a.Store.ReassignAgent(ctx, in.CustomerID, in.AgentEmail, in.By)
	if c := domain.ErrorCode(err); c == domain.CodeInvalid || c == domain.CodeNotFound {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBadInput, err)
	}
	return err
}
