package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
	"recoup/templates"
)

var notices *activities.Notices

// CustomerNotice sends what a customer hears about one promise or payment
// plan outside the dunning scenario: a plan's confirmation with its schedule
// at once, then a reminder the day before the promised date, or before each
// instalment, when the contact window opens on the account's clock. Whether a
// reminder applies (still unpaid, the scenario's setting on) is decided when
// it is due, so a cancelled promise needs nothing here: its reminder is skipped.
// A rejected dispute's answer is sent at once (no schedule).
func CustomerNotice(ctx workflow.Context, in flow.NoticeInput) error {
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	// Outages (SMTP, the database) are waited out; a reminder retried past
	// its date is skipped by the activity.
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumInterval: 30 * time.Minute},
	})
	send := func(template, key string, seq int) error {
		var res flow.SendNoticeResult
		err := workflow.ExecuteActivity(ctx, notices.SendNotice, flow.SendNoticeInput{NoticeInput: in, Template: template,
			Key: key, Seq: seq, WorkflowID: wid}).Get(ctx, &res)
		if err == nil {
			workflow.GetLogger(ctx).Debug("notice", "key", key, "status", res.Status, "detail", res.Detail)
		}
		return err
	}
	if in.Kind == flow.NoticeDisputeRejected { // one answer, at once
		return send(templates.DisputeRejected, flow.DisputeRejectedKey(in.ID, in.Round), 0)
	}
	if in.Kind == flow.NoticePlan {
		if err := send(templates.PlanConfirmation, flow.PlanConfirmationKey(in.ID), 0); err != nil {
			return err
		}
	}
	var sched flow.NoticeSchedule
	if err := workflow.ExecuteActivity(ctx, notices.NoticeSchedule, in).Get(ctx, &sched); err != nil {
		return err
	}
	for _, r := range sched.Reminders {
		if d := r.At.Sub(workflow.Now(ctx)); d > 0 {
			if err := workflow.Sleep(ctx, d); err != nil {
				return err
			}
		}
		if err := send(templates.PromiseReminder, r.Key, r.Seq); err != nil {
			return err
		}
	}
	return nil
}
