package app

import (
	"context"

	"recoup/flow"
)

// noticesStarted starts the customer notices of a promise or payment plan
// just committed (the CustomerNotice workflow: a plan's confirmation, the
// reminders before its dates). The use case sends nothing itself. Without
// Temporal, or when it refuses, the promise or plan stays recorded and the
// daily sweep of open accounts starts the notices it finds missing
// (activities.Waker.WakeOpen); a notice already sent is never sent again.
// It answers why the notices did not start ("" when they did).
func (a *App) noticesStarted(ctx context.Context, kind string, id, customerID int64) string {
	if a.flow == nil {
		return "this process has no Temporal connection: the daily sweep starts the customer notices"
	}
	if err := a.flow.StartNotice(ctx, flow.NoticeInput{Kind: kind, ID: id, CustomerID: customerID}); err != nil {
		a.log.ErrorContext(ctx, "start customer notices", "kind", kind, "id", id, "err", err)
		return "Temporal did not take the customer notices (" + err.Error() + "); the daily sweep starts them"
	}
	return ""
}
