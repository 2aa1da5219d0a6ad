package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"recoup/flow"
	"recoup/workflows"
)

// A scheduled run is sent once for the ISO week of its start (a year's
// first days may belong to the last week of the year before); a send now
// keeps its own period, and goes even when the report is not active.
func TestWeeklyReportPeriods(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start time.Time
		in    flow.ReportInput
		want  flow.ReportRun
	}{
		{"scheduled, a Monday", time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC), flow.ReportInput{ReportID: 4},
			flow.ReportRun{ReportID: 4, Period: "2026-W49", AsOf: "2026-11-30"}},
		{"scheduled, the 1st of January in the year before's week 53", time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC), flow.ReportInput{ReportID: 4},
			flow.ReportRun{ReportID: 4, Period: "2026-W53", AsOf: "2027-01-01"}},
		{"scheduled, a year end in next year's week 1", time.Date(2024, 12, 30, 23, 0, 0, 0, time.UTC), flow.ReportInput{ReportID: 4},
			flow.ReportRun{ReportID: 4, Period: "2025-W01", AsOf: "2024-12-30"}},
		{"send now", time.Date(2026, 11, 30, 9, 12, 0, 0, time.UTC), flow.ReportInput{ReportID: 4, Period: "now-x"},
			flow.ReportRun{ReportID: 4, Period: "now-x", AsOf: "2026-11-30", Now: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			env.SetStartTime(tc.start)
			var got []flow.ReportRun
			env.RegisterWorkflowWithOptions(workflows.WeeklyReport, workflow.RegisterOptions{Name: flow.WorkflowWeeklyReport})
			env.RegisterActivityWithOptions(func(ctx context.Context, run flow.ReportRun) (flow.ReportSent, error) {
				got = append(got, run)
				return flow.ReportSent{Sent: true}, nil
			}, activity.RegisterOptions{Name: flow.ActivitySendReport})
			env.ExecuteWorkflow(flow.WorkflowWeeklyReport, tc.in)
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			require.Equal(t, []flow.ReportRun{tc.want}, got)
			var sent flow.ReportSent
			require.NoError(t, env.GetWorkflowResult(&sent))
			require.True(t, sent.Sent)
		})
	}
}
