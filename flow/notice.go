package flow

import (
	"context"
	"strconv"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"recoup/dunning"
)

// Customer notices are the messages a customer receives outside the Dunning
// workflow's scenario steps: the confirmation of a payment plan with its
// schedule, and the reminder the day before a promised date or an
// instalment; and the answer to a rejected dispute. Each promise, each plan
// and each rejection of a dispute (a case decided in one round) has one
// CustomerNotice workflow.
const (
	NoticePromise = "promise" // a promise to pay: a reminder the day before its date
	NoticePlan    = "plan"    // a payment plan: its confirmation, then a reminder before each instalment
	// NoticeDisputeRejected: a dispute rejected: the reason, at once, to the
	// customer's contact (ID is the case's, Round its reopening round).
	NoticeDisputeRejected = "dispute_rejected"
)

// The notice workflow and its activities, under the rule of the names in flow.go.
const (
	WorkflowCustomerNotice = "CustomerNotice"
	ActivityNoticeSchedule = "NoticeSchedule" // when a promise's or plan's reminders are due
	ActivitySendNotice     = "SendNotice"     // a plan confirmation or a reminder, once per key
)

// NoticeWorkflowID is the one notice workflow of a promise (notice/promise-<id>)
// or of a plan (notice/plan-<id>).
func NoticeWorkflowID(kind string, id int64) string {
	return "notice/" + kind + "-" + strconv.FormatInt(id, 10)
}

// DisputeRejectedWorkflowID is the notice workflow of a dispute's rejection
// in one round of the case (a case reopened and rejected again is answered
// again): notice/dispute_rejected-<case id>-<round>.
func DisputeRejectedWorkflowID(caseID int64, round int) string {
	return NoticeWorkflowID(NoticeDisputeRejected, caseID) + "-" + strconv.Itoa(round)
}

// DisputeRejectedKey is the message log key of a dispute's rejection in one round.
func DisputeRejectedKey(caseID int64, round int) string {
	return "case/" + strconv.FormatInt(caseID, 10) + "/round-" + strconv.Itoa(round) + "/rejection"
}

// NoticeInput starts the notices of one promise or plan.
type NoticeInput struct {
	Kind       string `json:"kind"` // NoticePromise or NoticePlan
	ID         int64  `json:"id"`   // the promise's or the plan's id
	CustomerID int64  `json:"customer_id"`
	Round      int    `json:"round,omitempty"` // NoticeDisputeRejected: the case's reopening round
}

// NoticeReminder is one reminder a notice workflow sleeps until: the day
// before Due, when the entity's contact window opens in the account's time zone.
type NoticeReminder struct {
	Key    string       `json:"key"` // the message log key: sent once
	Seq    int          `json:"seq"` // the instalment's number; 0 for a promise
	Due    dunning.Date `json:"due"`
	At     time.Time    `json:"at"`
	Amount int64        `json:"amount_minor"`
}

// NoticeSchedule is what a notice workflow does over its life.
type NoticeSchedule struct {
	Reminders []NoticeReminder `json:"reminders"` // only those still ahead when it was read
}

// SendNoticeInput is one notice to send.
type SendNoticeInput struct {
	NoticeInput
	Template   string `json:"template"` // templates.PlanConfirmation or templates.PromiseReminder
	Key        string `json:"key"`
	Seq        int    `json:"seq,omitempty"` // the instalment a plan's reminder is about
	WorkflowID string `json:"workflow_id"`
}

// SendNoticeResult says what became of a notice: sent, or skipped with why.
type SendNoticeResult struct {
	Key         string `json:"key"`
	Status      string `json:"status"` // the message log status: sent, skipped, failed
	Detail      string `json:"detail,omitempty"`
	AlreadyDone bool   `json:"already_done,omitempty"`
}

// StartNotice starts the notice workflow of a promise or plan. A run already
// going is kept, and a run that completed is not started again (what it had
// to send went out; its keys make a second run harmless anyway), so callers
// (the use case after a commit, the daily sweep catching what Temporal missed)
// may call it as often as they like.
func (f *Client) StartNotice(ctx context.Context, in NoticeInput) error {
	id := NoticeWorkflowID(in.Kind, in.ID)
	if in.Kind == NoticeDisputeRejected {
		id = DisputeRejectedWorkflowID(in.ID, in.Round)
	}
	return f.start(ctx, client.StartWorkflowOptions{ID: id,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, WorkflowCustomerNotice, in)
}

// Message log keys of the notices: each goes out once.
func PlanConfirmationKey(planID int64) string {
	return "plan/" + strconv.FormatInt(planID, 10) + "/confirmation"
}

// ReminderKey is the key of the reminder before a promise (seq 0) or before
// instalment seq of a plan.
func ReminderKey(kind string, id int64, seq int) string {
	if kind == NoticePlan {
		return "plan/" + strconv.FormatInt(id, 10) + "/instalment-" + strconv.Itoa(seq) + "/reminder"
	}
	return "promise/" + strconv.FormatInt(id, 10) + "/reminder"
}
