package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

// owed lists every start still owed, whatever its age.
func (b caseBundle) owed(t *testing.T) []store.Owed {
	t.Helper()
	list, err := b.st.OwedTemporal(context.Background(), -time.Hour, 100)
	require.NoError(t, err)
	for i := range list {
		list[i].ID = 0
	}
	return list
}

// Each change that needs a workflow owes its start in its own transaction:
// opening a case, rejecting a dispute (the customer's email), reopening a
// case (its new round's clock); a paid start is owed no more.
func TestCaseChangesOweTheirTemporalStarts(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	ctx := context.Background()
	k := b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.first})
	require.Equal(t, []store.Owed{{Kind: store.OutboxCaseStart, Ref: k.ID}}, b.owed(t))

	require.NoError(t, b.st.PaidTemporal(ctx, store.OutboxCaseStart, k.ID, 0))
	require.Empty(t, b.owed(t))

	reject := store.CaseDecision{CaseID: k.ID, Decision: domain.DecisionRejected, Reason: "the price is the contract's", By: "sales@x"}
	_, err := b.st.DecideCase(ctx, reject)
	require.NoError(t, err)
	_, err = b.st.DecideCase(ctx, reject)
	require.NoError(t, err, "a retried decision")
	require.Equal(t, []store.Owed{{Kind: store.OutboxRejectionNotice, Ref: k.ID}}, b.owed(t), "owed once")

	require.NoError(t, b.st.ReopenCase(ctx, store.CaseReopen{CaseID: k.ID, Reason: "new facts", By: "x", Round: 1}))
	require.Equal(t, []store.Owed{{Kind: store.OutboxRejectionNotice, Ref: k.ID}, {Kind: store.OutboxCaseStart, Ref: k.ID, Round: 1}}, b.owed(t))
	_, err = b.st.DecideCase(ctx, reject)
	require.NoError(t, err)
	require.Contains(t, b.owed(t), store.Owed{Kind: store.OutboxRejectionNotice, Ref: k.ID, Round: 1}, "each round tells the customer")

	withdraw := store.CaseDecision{CaseID: b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.second}).ID, Decision: domain.DecisionWithdrawn, By: "x"}
	_, err = b.st.DecideCase(ctx, withdraw)
	require.NoError(t, err)
	require.NotContains(t, b.owed(t), store.Owed{Kind: store.OutboxRejectionNotice, Ref: withdraw.CaseID}, "only a rejection is emailed")
}

// A start younger than the grace is left to the process that owes it; a
// failed attempt stays owed with its reason.
func TestOwedTemporalStartsWaitTheirGraceAndKeepTheirFailures(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	ctx := context.Background()
	k := b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.first})
	young, err := b.st.OwedTemporal(ctx, time.Hour, 100)
	require.NoError(t, err)
	require.Empty(t, young)

	owed, err := b.st.OwedTemporal(ctx, 0, 100)
	require.NoError(t, err)
	require.Len(t, owed, 1)
	require.NoError(t, b.st.TemporalAttemptFailed(ctx, owed[0].ID, "connection refused"))
	require.Equal(t, []store.Owed{{Kind: store.OutboxCaseStart, Ref: k.ID, Attempts: 1, LastError: "connection refused"}}, b.owed(t))
}
