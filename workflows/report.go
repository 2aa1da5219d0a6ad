package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var reports *activities.Reports

// WeeklyReport sends one report: started by the report's Temporal Schedule
// (its period is then the ISO week of the start, so the week's email goes
// once however often it is triggered) or by a send now (its own period).
// The figures are as of the start's date (UTC).
func WeeklyReport(ctx workflow.Context, in flow.ReportInput) (flow.ReportSent, error) {
	now := workflow.Now(ctx).UTC()
	run := flow.ReportRun{ReportID: in.ReportID, Period: in.Period, AsOf: now.Format(time.DateOnly), Now: in.Period != ""}
	if run.Period == "" {
		run.Period = ReportWeek(now)
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 30 * time.Second, MaximumInterval: 10 * time.Minute, MaximumAttempts: 10},
	})
	var sent flow.ReportSent
	err := workflow.ExecuteActivity(actx, reports.SendReport, run).Get(ctx, &sent)
	return sent, err
}

// ReportWeek is t's ISO week, "2026-W49": the period a scheduled report is
// sent once for.
func ReportWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}
