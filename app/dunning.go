package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/notify"
	"recoup/store"
)

// DunningStatus is the live state of the account's workflow.
func (a *App) DunningStatus(ctx context.Context, who domain.Principal, customerID int64) (flow.DunningStatus, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningRead, customerID); err != nil {
		return flow.DunningStatus{}, err
	}
	return a.flow.Status(ctx, customerID)
}

// PauseRequest pauses an account's reminders, until a time or until resumed.
type PauseRequest struct {
	Until  *time.Time `json:"until"`
	Reason string     `json:"reason"`
}

// PauseDunning stops the account's reminders; the workflow refuses a second pause.
func (a *App) PauseDunning(ctx context.Context, who domain.Principal, customerID int64, req PauseRequest) (flow.PauseState, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return flow.PauseState{}, err
	}
	in := flow.PauseRequest{Reason: req.Reason, By: who.Actor()}
	if req.Until != nil {
		if !req.Until.After(time.Now()) {
			return flow.PauseState{}, domain.FieldError("until", "%s is in the past", req.Until.Format(time.RFC3339))
		}
		in.Until = req.Until.UTC()
	}
	st, err := a.flow.Pause(ctx, customerID, in)
	return st, a.journaled(ctx, who, customerID, "dunning.pause", st, err)
}

// ResumeDunning lifts a pause.
func (a *App) ResumeDunning(ctx context.Context, who domain.Principal, customerID int64) (flow.PauseState, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return flow.PauseState{}, err
	}
	st, err := a.flow.Resume(ctx, customerID, flow.ResumeRequest{By: who.Actor()})
	return st, a.journaled(ctx, who, customerID, "dunning.resume", st, err)
}

// journaled records a change the workflow accepted: its state lives in
// Temporal, whose history is not kept forever.
func (a *App) journaled(ctx context.Context, who domain.Principal, customerID int64, action string, result any, err error) error {
	if err != nil {
		return err
	}
	after, err := json.Marshal(result)
	if err != nil {
		return err
	}
	return a.store.Append(ctx, store.Entry{Actor: who.Actor(), Action: action, Target: customerTarget(customerID), After: after})
}

// ReassignRequest names the account's new agent.
type ReassignRequest struct {
	AgentEmail string `json:"agent_email"`
}

// ReassignDunning gives the account to another agent (MoveAccount: through
// its workflow when one runs, else in Postgres), and answers the agent.
func (a *App) ReassignDunning(ctx context.Context, who domain.Principal, customerID int64, req ReassignRequest) (string, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningReassign, customerID); err != nil {
		return "", err
	}
	email := strings.ToLower(strings.TrimSpace(req.AgentEmail))
	if email == "" {
		return "", domain.FieldError("agent_email", "required")
	}
	if err := a.checkUser(ctx, "agent_email", email); err != nil {
		return "", err
	}
	_, err := a.MoveAccount(ctx, customerID, email, who.Actor())
	return email, err
}

// Preview is the calendar of actions the planner would take if nothing changes.
type Preview struct {
	CustomerID      int64
	Days            int
	WorkflowRunning bool
	Status          *flow.DunningStatus // the live state the preview started from; nil when no workflow runs
	Actions         []dunning.Action    // times in UTC
	// Waiting and WaitCodes say why due reminders do not go out now and which
	// invoices are held (dunning.Plan.Waiting).
	Waiting, WaitCodes []string
}

// maxPreviewDays bounds the preview calendar; defaultPreviewDays is its default.
const (
	maxPreviewDays     = 366
	defaultPreviewDays = 90
)

// PreviewDunning answers the coming actions from the live state of the
// account's workflow (or a fresh one when none runs), by the same planner
// code the workflow uses. days is "" (90) or 1 to 366.
func (a *App) PreviewDunning(ctx context.Context, who domain.Principal, customerID int64, days string) (Preview, error) {
	p := Preview{CustomerID: customerID, Days: defaultPreviewDays, WorkflowRunning: true}
	if err := a.visibleCustomer(ctx, who, auth.DunningRead, customerID); err != nil {
		return p, err
	}
	if days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > maxPreviewDays {
			return p, domain.FieldError("days", "%q: want a number from 1 to %d", days, maxPreviewDays)
		}
		p.Days = n
	}
	if a.flow == nil {
		return p, flow.ErrUnavailable
	}
	acct, _, err := a.store.AccountSnapshot(ctx, customerID)
	if err != nil {
		return p, err
	}
	var state dunning.State
	st, err := a.flow.Status(ctx, customerID)
	switch {
	case err == nil:
		state, p.Status = st.State, &st
		acct.Paused, acct.PausedUntil = st.Pause.Paused, st.Pause.Until
	case domain.ErrorCode(err) == domain.CodeNotFound:
		p.WorkflowRunning = false
	default:
		return p, err
	}
	// The rules new workflows follow: the preview is the calendar they keep.
	acct.Rules = dunning.RulesStatement
	now := time.Now().UTC()
	first := dunning.PlanAt(acct, state, now)
	p.Waiting, p.WaitCodes = first.Waiting, first.WaitCodes
	p.Actions = dunning.Preview(acct, state, now, p.Days)
	if p.Actions == nil {
		p.Actions = []dunning.Action{}
	}
	for i := range p.Actions { // the planner works in local time; answers are in UTC
		p.Actions[i].At = p.Actions[i].At.UTC()
		if !p.Actions[i].TaskDue.IsZero() {
			p.Actions[i].TaskDue = p.Actions[i].TaskDue.UTC()
		}
	}
	return p, nil
}

// DeliveryReport records what the provider says became of a text or call,
// and tells the account's workflow when it did not arrive, so it falls back
// to email. A report that arrives before the send is recorded is caught by
// the send's activity instead (it checks the reports after recording).
func (a *App) DeliveryReport(ctx context.Context, u notify.StatusUpdate) error {
	if err := a.store.RecordDelivery(ctx, u.SID, u.Status, u.ErrorCode); err != nil {
		return err
	}
	if !store.FailedDelivery(u.Status) || a.flow == nil {
		return nil
	}
	m, found, err := a.store.SentMessageByRef(ctx, u.SID)
	if err != nil || !found {
		return err
	}
	return a.flow.DeliveryFailed(ctx, m.CustomerID, m.Key)
}
