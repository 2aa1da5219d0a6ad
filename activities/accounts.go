package activities

import (
	"context"

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
}

// LoadAccount reads the account's open items, scenarios and settings.
func (a *Accounts) LoadAccount(ctx context.Context, customerID int64) (AccountSnapshot, error) {
	acct, meta, err := a.Store.AccountSnapshot(ctx, customerID)
	return AccountSnapshot{Account: acct, Meta: meta}, err
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
