package activities

import (
	"context"

	"recoup/flow"
)

// TemporalDebts makes the workflow starts committed changes still owe
// Temporal; app.App.CatchUpTemporal is the one implementation outside tests.
type TemporalDebts interface {
	CatchUpTemporal(ctx context.Context) (flow.CaughtUp, error)
}

// CatchUp is the CatchUp workflow's activity.
type CatchUp struct {
	Debts TemporalDebts
}

// CatchUpTemporal makes the starts still owed; each is idempotent, so a retry is harmless.
func (c *CatchUp) CatchUpTemporal(ctx context.Context) (flow.CaughtUp, error) {
	return c.Debts.CatchUpTemporal(ctx)
}
