package activities

import (
	"context"
	"fmt"

	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/notify"
	"recoup/store"
)

// Reports mails the weekly reports.
type Reports struct {
	Store  *store.Store
	Mailer *notify.Mailer // nil: no email, the reports are skipped
	// Build makes a report's email as of a date (app.App.ReportEmail: the
	// figures inside the perimeter of the report's creator, the XLSX attached).
	Build func(ctx context.Context, rp store.Report, asOf dunning.Date) (notify.Email, error)
}

// SendReport sends run's report once per report and period (reports_sent):
// a retried activity, or a second run in the same week, skips it. A deleted
// report is skipped; so is an inactive one, unless it is a send now, and
// one whose creator is disabled (its perimeter is gone).
func (r *Reports) SendReport(ctx context.Context, run flow.ReportRun) (flow.ReportSent, error) {
	asOf, err := dunning.ParseDate(run.AsOf)
	if err != nil {
		return flow.ReportSent{}, fmt.Errorf("report %d: as of %q: %w", run.ReportID, run.AsOf, err)
	}
	rp, err := r.Store.Report(ctx, run.ReportID)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return flow.ReportSent{Skipped: "the report is deleted"}, nil
	}
	if err != nil {
		return flow.ReportSent{}, err
	}
	if !rp.Active && !run.Now {
		return flow.ReportSent{Skipped: "the report is not active"}, nil
	}
	if r.Mailer == nil || r.Build == nil {
		return flow.ReportSent{Skipped: "no SMTP server is configured"}, nil
	}
	already, err := r.Store.ClaimReport(ctx, rp.ID, run.Period)
	if err != nil {
		return flow.ReportSent{}, err
	}
	if already {
		return flow.ReportSent{Skipped: "already sent for " + run.Period}, nil
	}
	email, err := r.Build(ctx, rp, asOf)
	if domain.ErrorCode(err) == domain.CodeNotFound { // its creator is disabled: retrying would not help
		return flow.ReportSent{Skipped: err.Error()}, nil
	}
	if err != nil {
		return flow.ReportSent{}, err
	}
	email.MessageID = notify.MessageID(fmt.Sprintf("report/%d/%s", rp.ID, run.Period))
	if err := r.Mailer.Send(ctx, email); err != nil {
		return flow.ReportSent{}, fmt.Errorf("report %d: %w", rp.ID, err)
	}
	return flow.ReportSent{Sent: true}, r.Store.FinishReport(ctx, rp.ID, run.Period)
}
