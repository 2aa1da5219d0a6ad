package flow

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// The weekly reports: one Temporal Schedule per report (ID report/<id>),
// visible in Temporal's UI, whose action starts a WeeklyReport workflow that
// builds and mails the report once per report and period.
const (
	WorkflowWeeklyReport = "WeeklyReport"
	ActivitySendReport   = "SendReport"
)

// ReportScheduleID names the schedule of report id.
func ReportScheduleID(id int64) string { return "report/" + strconv.FormatInt(id, 10) }

// ReportWorkflowID is the workflow ID the schedule gives its runs (Temporal
// appends the scheduled time) and the prefix of a send-now run's.
func ReportWorkflowID(id int64) string { return ReportScheduleID(id) + "/run" }

// ReportInput is a WeeklyReport run: Period is the key it is sent once
// under; "" for a scheduled run, which takes the ISO week of its start
// (2026-W49).
type ReportInput struct {
	ReportID int64  `json:"report_id"`
	Period   string `json:"period,omitempty"`
}

// ReportRun is what the SendReport activity is asked: the report, the
// period it is sent once for, the as-of date of its figures (YYYY-MM-DD),
// and whether it is a send now (which goes even when the report is not active).
type ReportRun struct {
	ReportID int64  `json:"report_id"`
	Period   string `json:"period"`
	AsOf     string `json:"as_of"`
	Now      bool   `json:"now,omitempty"`
}

// ReportSent says what a run did.
type ReportSent struct {
	Sent    bool   `json:"sent"`
	Skipped string `json:"skipped,omitempty"` // why nothing went out: already sent, report deleted or inactive
}

// ReportWhen is when a report goes out: each week on Weekday (0 Sunday … 6
// Saturday) at Hour:00 UTC; not Active: its schedule is paused.
type ReportWhen struct {
	Weekday, Hour int
	Active        bool
}

// ReportCatchUp is how late a schedule still runs an action it missed
// (Temporal down at the hour): a day, so a report is at most a day late and
// never sent for a past week.
const ReportCatchUp = 24 * time.Hour

func reportSchedule(id int64, w ReportWhen) (client.ScheduleSpec, *client.ScheduleWorkflowAction) {
	spec := client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
		Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}},
		Hour: []client.ScheduleRange{{Start: w.Hour}}, DayOfWeek: []client.ScheduleRange{{Start: w.Weekday}},
		Comment: "weekly report",
	}}, TimeZoneName: "UTC"}
	action := &client.ScheduleWorkflowAction{ID: ReportWorkflowID(id), Workflow: WorkflowWeeklyReport,
		Args: []any{ReportInput{ReportID: id}}, TaskQueue: TaskQueue}
	return spec, action
}

// SyncReportSchedule makes report id's schedule match w: created when
// missing, else replaced (its spec, action, policies and pause); w nil (the
// report is deleted) deletes it. Idempotent: the outbox may call it again.
func (f *Client) SyncReportSchedule(ctx context.Context, id int64, w *ReportWhen) error {
	if err := f.ready(); err != nil {
		return err
	}
	sc := f.c.ScheduleClient()
	h := sc.GetHandle(ctx, ReportScheduleID(id))
	if w == nil {
		if err := h.Delete(ctx); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	}
	spec, action := reportSchedule(id, *w)
	_, err := sc.Create(ctx, client.ScheduleOptions{ID: ReportScheduleID(id), Spec: spec, Action: action,
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: ReportCatchUp, Paused: !w.Active})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return err
	}
	return h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action = &spec, action
		s.Policy = &client.SchedulePolicies{Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: ReportCatchUp}
		if s.State == nil {
			s.State = &client.ScheduleState{}
		}
		s.State.Paused = !w.Active
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
}

// SendReportNow starts a run of report id outside its schedule, sent once
// under period; it answers the run's workflow ID.
func (f *Client) SendReportNow(ctx context.Context, id int64, period string) (string, error) {
	wid := ReportWorkflowID(id) + "/" + period
	return wid, f.start(ctx, client.StartWorkflowOptions{ID: wid}, WorkflowWeeklyReport, ReportInput{ReportID: id, Period: period})
}
