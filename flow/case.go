package flow

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
)

// WorkflowCase runs one case: its SLA clock, its discussion, its decision.
const WorkflowCase = "Case"

// Activities of the Case workflow: each records in Postgres what the
// workflow decided (store.*Case*), idempotently.
const (
	ActivityCaseAlert  = "CaseAlert"     // an SLA threshold: a task and the case's SLA state
	ActivityDecideCase = "DecideCase"    // a decision and what it does to invoices and credit limit
	ActivityCaseStatus = "SetCaseStatus" // open <-> waiting_customer
	ActivityReopenCase = "ReopenCase"
	ActivityCloseCase  = "CloseCase" // the reopening window has passed
)

// Messages of the Case workflow.
const (
	SignalCaseComment = "case-comment" // a comment was recorded
	SignalCaseRouted  = "case-routed"  // the case went to another department or owner
	UpdateCaseDecide  = "case-decide"
	UpdateCaseStatus  = "case-status"
	UpdateCaseReopen  = "case-reopen"
	// The Case workflow answers QueryStatus with CaseStatus.
)

// SLA thresholds of a case (CaseClock.Level, CaseAlertInput.Level): the
// reminder to the owner at half the SLA, the escalation to the department's
// manager at the SLA, and again at twice.
const (
	CaseReminder    = store.AlertReminder
	CaseBreach      = store.AlertBreach
	CaseBreachTwice = store.AlertTwice
)

// CaseReopenWindow is how long a decided case may be reopened; then it closes.
const CaseReopenWindow = 30 * 24 * time.Hour

// CaseWorkflowID is the one workflow of a case.
func CaseWorkflowID(caseID int64) string { return "case/" + strconv.FormatInt(caseID, 10) }

// CaseInput starts a case's workflow, or carries its state across continue-as-new.
type CaseInput struct {
	CaseID          int64             `json:"case_id"`
	CustomerID      int64             `json:"customer_id"`
	EntityCode      string            `json:"entity_code"`
	Type            domain.CaseType   `json:"type"`
	Department      domain.Department `json:"department"`
	Owner           string            `json:"owner,omitempty"` // email; "" the department's queue
	Status          domain.CaseStatus `json:"status"`
	SLABusinessDays int               `json:"sla_business_days"`
	Calendar        CaseCalendar      `json:"calendar"`
	OpenedAt        time.Time         `json:"opened_at"`
	Clock           CaseClock         `json:"clock"`
	Comments        int               `json:"comments,omitempty"`
	Decision        domain.Decision   `json:"decision,omitempty"`
	DecidedAt       time.Time         `json:"decided_at,omitzero"`
}

// CaseCalendar is the business-day calendar of the case's entity.
type CaseCalendar struct {
	Country  string         `json:"country"`
	TimeZone string         `json:"time_zone"`
	Holidays []dunning.Date `json:"holidays,omitempty"`
}

// CaseClock is the SLA clock: the business time used up before the running
// stretch, when that stretch began (zero: paused, waiting for the customer),
// the thresholds reached (store.AlertReminder...) and the reopenings.
type CaseClock struct {
	Used         time.Duration `json:"used"`
	RunningSince time.Time     `json:"running_since,omitzero"`
	Level        int           `json:"level"`
	Round        int           `json:"round"`
}

// CaseStatus is the live state of a case, answered by its workflow.
type CaseStatus struct {
	CaseID     int64             `json:"case_id"`
	Status     domain.CaseStatus `json:"status"`
	Department domain.Department `json:"department"`
	Owner      string            `json:"owner"`
	SLA        CaseSLA           `json:"sla"`
	Comments   int               `json:"comments"`
	Decision   domain.Decision   `json:"decision,omitempty"`
	// ReopenUntil is the end of the reopening window of a decided case.
	ReopenUntil *time.Time `json:"reopen_until,omitempty"`
}

// CaseSLA is the SLA clock as people see it: the due time of each threshold
// still ahead (none while paused), and the state reached.
type CaseSLA struct {
	BusinessDays int             `json:"business_days"`
	State        domain.SLAState `json:"state"`
	Paused       bool            `json:"paused"`
	Used         time.Duration   `json:"used_ns"` // business time used, in nanoseconds
	ReminderDue  *time.Time      `json:"reminder_due,omitempty"`
	BreachDue    *time.Time      `json:"breach_due,omitempty"`
	TwiceDue     *time.Time      `json:"twice_due,omitempty"`
}

// CaseComment is the case-comment signal's payload: a comment, the files
// attached with it, or files alone (CommentID 0).
type CaseComment struct {
	CommentID   int64    `json:"comment_id"`
	Author      string   `json:"author"`
	Mentions    []string `json:"mentions,omitempty"`
	Attachments []int64  `json:"attachments,omitempty"` // case_attachments ids
}

// CaseRouted is the case-routed signal's payload.
type CaseRouted struct {
	Department domain.Department `json:"department"`
	Owner      string            `json:"owner,omitempty"`
	By         string            `json:"by"`
}

// CaseDecision is the case-decide update's argument; DecidedCase its answer.
type (
	CaseDecision = store.CaseDecision
	DecidedCase  = store.DecidedCase
)

// CaseStatusChange is the case-status update's argument.
type CaseStatusChange = store.CaseStatusChange

// CaseReopenRequest is the case-reopen update's argument.
type CaseReopenRequest struct {
	Reason string `json:"reason"`
	By     string `json:"by"`
}

// CaseAlertInput is ActivityCaseAlert's argument.
type CaseAlertInput = store.CaseAlert

// CaseReopen is ActivityReopenCase's argument.
type CaseReopen = store.CaseReopen

// CloseCaseInput is ActivityCloseCase's argument.
type CloseCaseInput struct {
	CaseID int64  `json:"case_id"`
	By     string `json:"by"`
}

// StartCase starts a case's workflow; one already running for it is kept.
func (f *Client) StartCase(ctx context.Context, in CaseInput) error {
	return f.start(ctx, client.StartWorkflowOptions{ID: CaseWorkflowID(in.CaseID),
		TypedSearchAttributes: temporal.NewSearchAttributes(CaseAttributes(in)...)}, WorkflowCase, in)
}

// CaseAttributes are the search attributes of a case's workflow: its
// customer, entity, type, department, owner and status.
func CaseAttributes(in CaseInput) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		KeyCustomer.ValueSet(strconv.FormatInt(in.CustomerID, 10)),
		KeyEntity.ValueSet(in.EntityCode),
		KeyCaseType.ValueSet(string(in.Type)),
		KeyDepartment.ValueSet(string(in.Department)),
		KeyOwner.ValueSet(in.Owner),
		KeyCaseStatus.ValueSet(string(in.Status)),
	}
}

// CommentCase tells a case's workflow about a comment; a workflow no longer
// running (a closed case) needs nothing.
func (f *Client) CommentCase(ctx context.Context, caseID int64, c CaseComment) error {
	return f.signalCase(ctx, caseID, SignalCaseComment, c)
}

// RoutedCase tells a case's workflow it was re-routed.
func (f *Client) RoutedCase(ctx context.Context, caseID int64, r CaseRouted) error {
	return f.signalCase(ctx, caseID, SignalCaseRouted, r)
}

func (f *Client) signalCase(ctx context.Context, caseID int64, name string, arg any) error {
	if err := f.ready(); err != nil {
		return err
	}
	err := f.c.SignalWorkflow(ctx, CaseWorkflowID(caseID), "", name, arg)
	if isNotFound(err) {
		return nil
	}
	return err
}

// DecideCase decides a case through its workflow; running is false (and
// nothing happened) when none runs. The workflow's refusal is a CodeConflict error.
func (f *Client) DecideCase(ctx context.Context, d CaseDecision) (out DecidedCase, running bool, err error) {
	running, err = f.updateCase(ctx, d.CaseID, UpdateCaseDecide, d, &out)
	return out, running, err
}

// SetCaseStatus changes an open case's status through its workflow; running as in DecideCase.
func (f *Client) SetCaseStatus(ctx context.Context, c CaseStatusChange) (running bool, err error) {
	return f.updateCase(ctx, c.CaseID, UpdateCaseStatus, c, nil)
}

// ReopenCase reopens a decided case through its workflow; running as in
// DecideCase (a case whose window has passed has no workflow running).
func (f *Client) ReopenCase(ctx context.Context, caseID int64, r CaseReopenRequest) (running bool, err error) {
	return f.updateCase(ctx, caseID, UpdateCaseReopen, r, nil)
}

func (f *Client) updateCase(ctx context.Context, caseID int64, name string, arg, out any) (bool, error) {
	if err := f.ready(); err != nil {
		return false, err
	}
	h, err := f.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: CaseWorkflowID(caseID), UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if isNotFound(err) {
		return false, nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return true, domain.Errorf(domain.CodeConflict, "case %d: %s", caseID, app.Message())
	}
	return true, err
}

// CaseState queries a case's live state; ok is false when no workflow runs for it.
func (f *Client) CaseState(ctx context.Context, caseID int64) (st CaseStatus, ok bool, err error) {
	if err := f.ready(); err != nil {
		return st, false, err
	}
	v, err := f.c.QueryWorkflow(ctx, CaseWorkflowID(caseID), "", QueryStatus)
	if isNotFound(err) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	return st, true, v.Get(&st)
}
