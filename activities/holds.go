package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/flow"
	"recoup/store"
)

// ErrTypeRefused is the type of the non-retryable error of a hold or release
// the ledger refuses (already held, not held, not open): the update answers
// it to the caller as a conflict.
const ErrTypeRefused = "HoldRefused"

// HoldInvoice records a hold for the hold-invoice update. Running it twice
// with the same key is harmless: the second run answers the first's hold.
func (a *Accounts) HoldInvoice(ctx context.Context, in flow.HoldInvoiceRequest) (store.InvoiceHold, error) {
	h, err := a.Store.HoldInvoice(ctx, in)
	return h, refused(err)
}

// ReleaseInvoice lifts a hold for the release-invoice update; idempotent by key.
func (a *Accounts) ReleaseInvoice(ctx context.Context, in flow.ReleaseInvoiceRequest) (store.InvoiceHold, error) {
	h, err := a.Store.ReleaseInvoice(ctx, in)
	return h, refused(err)
}

// refused makes the ledger's refusals final: retrying will not change them.
func refused(err error) error {
	switch domain.ErrorCode(err) {
	case domain.CodeConflict, domain.CodeNotFound, domain.CodeInvalid:
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeRefused, err)
	}
	return err
}

// releaseSettledCreditHold lifts the account's credit hold when the scenario
// whose step put it says so (Settings.ReleaseCreditHold) and nothing of the
// account is overdue any more: the evaluation after the payments land, or
// the last one, when nothing is open. Idempotent: an account no longer on
// hold is left as it is.
func (a *Accounts) releaseSettledCreditHold(ctx context.Context, snap *AccountSnapshot, now time.Time) error {
	ch := snap.Meta.CreditHold
	if ch == nil || ch.ScenarioID == 0 {
		return nil
	}
	sc, ok := snap.Account.Scenarios[ch.ScenarioID]
	if !ok || !sc.Settings.ReleaseCreditHold {
		return nil
	}
	today := snap.Account.Today(now)
	for _, it := range snap.Account.Items {
		if it.DueDate.Before(today) {
			return nil // still overdue
		}
	}
	reason := fmt.Sprintf("nothing is overdue: scenario %q releases its credit holds", sc.Name)
	if _, err := a.Store.ReleaseCreditHold(ctx, snap.Account.CustomerID, reason, flow.DunningWorkflowID(snap.Account.CustomerID), true); err != nil {
		return err
	}
	snap.Meta.CreditHold = nil
	return nil
}
