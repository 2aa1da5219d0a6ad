package activities

import (
	"context"
	"strconv"
	"time"

	"recoup/domain"
	"recoup/store"
)

// task creates the task or escalation of a task or escalation step.
func (d *Dunning) task(ctx context.Context, in ExecuteInput, ch domain.Channel, mc store.MessageContext) (outcome, error) {
	a := in.Action
	kind := domain.TaskCall
	if ch == domain.ChannelEscalation {
		kind = domain.TaskEscalation
	}
	role := a.Step.AssigneeRole
	if role == "" {
		role = domain.AssigneeAgent
	}
	due := a.TaskDue
	if due.IsZero() {
		base := a.At
		if base.IsZero() {
			base = time.Now()
		}
		hours := a.Step.TaskDueHours
		if hours <= 0 {
			hours = int(manualContactDue / time.Hour)
		}
		due = base.Add(time.Duration(hours) * time.Hour)
	}
	note := a.Step.Template
	if note == "" {
		note = string(ch) + " step " + strconv.Itoa(a.StepIndex)
	}
	id, created, err := d.Store.CreateTask(ctx, store.Task{
		Key: a.Key, CustomerID: in.CustomerID, Kind: kind, AssigneeRole: role,
		InvoiceIDs: invoiceIDs(mc), DueAt: due, Note: note, Actor: actor(in), MergeCall: true,
	})
	if err != nil {
		return outcome{}, err
	}
	detail := string(kind) + " task " + strconv.FormatInt(id, 10) + " for " + string(role)
	if !created {
		detail += " (already created, or an open call task of the account joined)"
	}
	return outcome{status: domain.MessageSent, channel: ch, ref: taskRef(id), detail: detail}, nil
}

func invoiceIDs(mc store.MessageContext) []int64 {
	ids := make([]int64, len(mc.Invoices))
	for i, inv := range mc.Invoices {
		ids[i] = inv.ID
	}
	return ids
}

func taskRef(id int64) string { return "task/" + strconv.FormatInt(id, 10) }
