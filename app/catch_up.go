package app

import (
	"context"
	"fmt"
	"time"

	"recoup/flow"
	"recoup/store"
)

// catchUpGrace leaves a start owed to Temporal to the process that owes it
// for this long: it is trying it right after its commit.
const catchUpGrace = time.Minute

// catchUpBatch bounds the starts one catch-up makes.
const catchUpBatch = 500

// CatchUpTemporal makes the workflow starts that committed changes still owe
// Temporal (store.OutboxKind): a case opened or reopened, a dispute rejected,
// an account its customer answered (its pause), an import's wake-up, a report saved or deleted
// (its schedule), while Temporal was
// unreachable or this process died before it could. The
// worker's CatchUp workflow calls it every few minutes; each start is
// idempotent, so one made twice is harmless.
func (a *App) CatchUpTemporal(ctx context.Context) (flow.CaughtUp, error) {
	var out flow.CaughtUp
	if a.flow == nil {
		return out, flow.ErrUnavailable
	}
	owed, err := a.store.OwedTemporal(ctx, catchUpGrace, catchUpBatch)
	if err != nil {
		return out, err
	}
	for _, o := range owed {
		if err := a.payTemporal(ctx, o); err != nil {
			out.Failed++
			a.log.WarnContext(ctx, "catch up a Temporal start", "kind", o.Kind, "ref", o.Ref, "attempts", o.Attempts+1, "err", err)
			if err := a.store.TemporalAttemptFailed(ctx, o.ID, err.Error()); err != nil {
				return out, err
			}
			continue
		}
		out.Started++
	}
	return out, nil
}

// payTemporal makes one owed start and marks it done.
func (a *App) payTemporal(ctx context.Context, o store.Owed) error {
	switch o.Kind {
	case store.OutboxReplyPause:
		return a.payReplyPause(ctx, o.Ref)
	case store.OutboxImportWake:
		if _, err := a.flow.StartWakeImport(ctx, o.Ref); err != nil {
			return err
		}
		return a.store.PaidTemporal(ctx, o.Kind, o.Ref, o.Round)
	case store.OutboxReportSchedule:
		return a.syncReportSchedule(ctx, o.Ref, o.Round)
	}
	k, err := a.store.Case(ctx, store.Everything, o.Ref)
	if err != nil {
		return err
	}
	switch o.Kind {
	case store.OutboxCaseStart:
		// A case decided or closed since, or reopened again, needs no start
		// for that round: its workflow (or the next round's) holds the clock.
		if k.Reopened == o.Round && k.Status.Open() {
			if err := a.startCaseWorkflow(ctx, k); err != nil {
				return err
			}
		}
	case store.OutboxRejectionNotice:
		if err := a.startRejection(ctx, k.ID, k.CustomerID, o.Round); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown start %q", o.Kind)
	}
	return a.store.PaidTemporal(ctx, o.Kind, o.Ref, o.Round)
}

// startRejection starts the email that tells the customer why their dispute
// was rejected in round (one per round), and marks it done.
func (a *App) startRejection(ctx context.Context, caseID, customerID int64, round int) error {
	in := flow.NoticeInput{Kind: flow.NoticeDisputeRejected, ID: caseID, CustomerID: customerID, Round: round}
	if err := a.flow.StartNotice(ctx, in); err != nil {
		return err
	}
	a.paid(ctx, store.OutboxRejectionNotice, caseID, round)
	return nil
}
