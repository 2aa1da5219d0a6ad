package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recoup/app"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
	"recoup/tclient"
)

// A weekly report saved through the API gets its Temporal Schedule at once;
// triggered, the schedule's WeeklyReport run emails the report with its
// XLSX; triggered again the same week it sends nothing; paused and deleted
// with the report.
func TestWeeklyReportRunsOnItsTemporalSchedule(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	ctx := context.Background()
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email\n"+
		"C1,E1,Late Payer Ltd,"+s.currency+",ap@late.example,,en,,"+s.agent.Email+"\n")
	postCSV(t, s.api, "invoices", "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
		fmt.Sprintf("RI1,C1,INV-R1,invoice,%s,%s,%s,400,400\n", s.today.AddDays(-70), s.today.AddDays(-40), s.currency))

	saved := postJSON(t, http.MethodPost, s.api+"/api/v1/reports",
		`{"name": "Delinquency committee", "recipients": ["committee@example.com"], "weekday": 1, "hour": 7}`, http.StatusCreated)
	require.Equal(t, "", saved["schedule_error"], "Temporal took the schedule with the save")
	id := int64(saved["id"].(float64))
	require.Equal(t, fmt.Sprintf("report/%d", id), saved["schedule_id"])

	tc, err := tclient.Dial(ctx, s.info.Temporal, "default", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer tc.Close()
	h := tc.ScheduleClient().GetHandle(ctx, flow.ReportScheduleID(id))
	desc, err := h.Describe(ctx)
	require.NoError(t, err)
	cal := desc.Schedule.Spec.Calendars
	require.Len(t, cal, 1)
	require.Equal(t, 1, cal[0].DayOfWeek[0].Start, "Monday")
	require.Equal(t, 7, cal[0].Hour[0].Start)
	require.Equal(t, "UTC", desc.Schedule.Spec.TimeZoneName)
	require.Equal(t, enums.SCHEDULE_OVERLAP_POLICY_SKIP, desc.Schedule.Policy.Overlap)
	require.Equal(t, 24*time.Hour, desc.Schedule.Policy.CatchupWindow)
	require.False(t, desc.Schedule.State.Paused)
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.True(t, ok)
	require.Equal(t, flow.WorkflowWeeklyReport, action.Workflow)

	// trigger runs the schedule's action now and answers what the run did.
	trigger := func(n int) flow.ReportSent {
		t.Helper()
		require.NoError(t, h.Trigger(ctx, client.ScheduleTriggerOptions{}))
		var actions []client.ScheduleActionResult
		require.Eventually(t, func() bool {
			d, err := h.Describe(ctx)
			require.NoError(t, err)
			actions = d.Info.RecentActions
			return len(actions) == n
		}, 30*time.Second, 100*time.Millisecond, "the schedule starts run %d", n)
		run := actions[n-1].StartWorkflowResult
		var sent flow.ReportSent
		require.NoError(t, tc.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, &sent))
		return sent
	}
	require.Equal(t, flow.ReportSent{Sent: true}, trigger(1))

	var reports []mailItem
	for _, m := range devMail(t, s.api) {
		if len(m.To) == 1 && m.To[0] == "committee@example.com" {
			reports = append(reports, m)
		}
	}
	require.Len(t, reports, 1)
	m := reports[0]
	require.Equal(t, "Recoup weekly report: Delinquency committee ("+time.Now().UTC().Format(time.DateOnly)+")", m.Subject)
	require.Contains(t, m.Text, "1. Late Payer Ltd (E1)")
	require.Len(t, m.Attachments, 1)
	resp := send(t, http.MethodGet, s.api+m.Attachments[0].URL, "", "")
	defer resp.Body.Close()
	file, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	x, err := excelize.OpenReader(bytes.NewReader(file))
	require.NoError(t, err)
	defer x.Close()
	require.Equal(t, []string{"Aging", "Top overdue", "Disputes", "Disputed amounts", "DSO"}, x.GetSheetList())
	name, err := x.GetCellValue("Top overdue", "C2")
	require.NoError(t, err)
	require.Equal(t, "Late Payer Ltd", name)

	require.Contains(t, trigger(2).Skipped, "already sent for ", "the same week again sends nothing")

	postJSON(t, http.MethodPut, fmt.Sprintf("%s/api/v1/reports/%d", s.api, id),
		`{"name": "Delinquency committee", "recipients": ["committee@example.com"], "weekday": 5, "hour": 16, "active": false}`, http.StatusOK)
	desc, err = h.Describe(ctx)
	require.NoError(t, err)
	require.True(t, desc.Schedule.State.Paused, "an inactive report's schedule is paused")
	require.Equal(t, 5, desc.Schedule.Spec.Calendars[0].DayOfWeek[0].Start)
	require.Equal(t, 16, desc.Schedule.Spec.Calendars[0].Hour[0].Start)

	postJSON(t, http.MethodDelete, fmt.Sprintf("%s/api/v1/reports/%d", s.api, id), "", http.StatusNoContent)
	_, err = h.Describe(ctx)
	var notFound *serviceerror.NotFound
	require.ErrorAs(t, err, &notFound, "the schedule is deleted with the report")

	// Saved by a process without Temporal, a report owes its schedule; the catch-up makes it.
	pool, err := pgxpool.New(ctx, s.dbURL)
	require.NoError(t, err)
	defer pool.Close()
	st := &store.Store{Pool: pool}
	var adminEmail string
	for _, u := range s.info.Credentials.Users {
		if u.Role == domain.RoleAdmin {
			adminEmail = u.Email
		}
	}
	admin := domain.Principal{UserID: userIDOf(t, st, adminEmail), Role: domain.RoleAdmin, Email: adminEmail, AllEntities: true}
	weekday, hour := 3, 9
	offline, err := app.New(st, nil, nil).SaveReport(ctx, admin, 0, app.ReportInput{Name: "Saved offline",
		Recipients: []string{"committee@example.com"}, Weekday: &weekday, Hour: &hour})
	require.NoError(t, err)
	require.NotEmpty(t, offline.ScheduleError)
	_, err = tc.ScheduleClient().GetHandle(ctx, flow.ReportScheduleID(offline.ID)).Describe(ctx)
	require.ErrorAs(t, err, &notFound, "no schedule yet")
	_, err = pool.Exec(ctx, `UPDATE temporal_outbox SET created_at = created_at - interval '5 minutes'`)
	require.NoError(t, err)
	caught, err := app.New(st, flow.NewClient(tc), nil).CatchUpTemporal(ctx)
	require.NoError(t, err)
	require.Equal(t, 0, caught.Failed)
	desc, err = tc.ScheduleClient().GetHandle(ctx, flow.ReportScheduleID(offline.ID)).Describe(ctx)
	require.NoError(t, err, "the catch-up made the schedule")
	require.Equal(t, 3, desc.Schedule.Spec.Calendars[0].DayOfWeek[0].Start)
	var owed int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM temporal_outbox WHERE kind = 'report.schedule' AND done_at IS NULL`).Scan(&owed))
	require.Zero(t, owed, "every sync is paid, the deleted report's included")
}

func userIDOf(t *testing.T, st *store.Store, email string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, st.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE email = $1`, email).Scan(&id))
	return id
}
