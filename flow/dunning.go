package flow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/dunning"
)

// Messages of the Dunning workflow.
const (
	// SignalInvoicesChanged: the account's items changed (an import, a
	// decision on a task); the workflow evaluates again.
	SignalInvoicesChanged = "invoices-changed"
	// SignalDeliveryFailed: the provider reported a text or call as not delivered.
	SignalDeliveryFailed = "delivery-failed"
	// Updates are commands a person gives, validated and answered synchronously.
	UpdatePause    = "pause"
	UpdateResume   = "resume"
	UpdateReassign = "reassign"
	// QueryStatus answers the live state of one account.
	QueryStatus = "status"
)

// DunningWorkflowID is the one workflow of a customer account.
func DunningWorkflowID(customerID int64) string {
	return dunningIDPrefix + strconv.FormatInt(customerID, 10)
}

const dunningIDPrefix = "dunning/"

// dunningCustomerID is the customer of a DunningWorkflowID.
func dunningCustomerID(workflowID string) (int64, error) {
	return strconv.ParseInt(strings.TrimPrefix(workflowID, dunningIDPrefix), 10, 64)
}

// DunningInput starts an account's workflow, or carries its compact state
// across continue-as-new.
type DunningInput struct {
	CustomerID int64         `json:"customer_id"`
	State      dunning.State `json:"state"`
	Pause      PauseState    `json:"pause"`
	Failed     []string      `json:"failed,omitempty"` // keys of undelivered texts and calls not yet fallen back
}

// DeliveryFailed is the delivery-failed signal's payload.
type DeliveryFailed struct {
	Key string `json:"key"` // the action's idempotency key
}

// PauseState says whether the account fires nothing, until when and why.
type PauseState struct {
	Paused bool      `json:"paused"`
	Until  time.Time `json:"until,omitzero"` // zero: until resumed
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by,omitempty"`
}

// PauseRequest is the pause update's argument.
type PauseRequest struct {
	Until  time.Time `json:"until,omitzero"`
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by"`
}

// ResumeRequest is the resume update's argument.
type ResumeRequest struct {
	By string `json:"by"`
}

// ReassignRequest is the reassign update's argument.
type ReassignRequest struct {
	AgentEmail string `json:"agent_email"`
	By         string `json:"by"`
}

// DunningStatus is what the status query answers.
type DunningStatus struct {
	CustomerID    int64                   `json:"customer_id"`
	Pause         PauseState              `json:"pause"`
	Agent         string                  `json:"agent"`
	NextWake      time.Time               `json:"next_wake,omitzero"`
	LastEvaluated time.Time               `json:"last_evaluated,omitzero"`
	Stages        map[int64]dunning.Stage `json:"stages"`
	State         dunning.State           `json:"state"`
	Warnings      []string                `json:"warnings,omitempty"`
	// Waiting says why reminders that are due do not go out, and which
	// invoices are held (dunning.Plan.Waiting); WaitCodes as codes
	// (dunning.WaitContactGap, ...).
	Waiting   []string `json:"waiting,omitempty"`
	WaitCodes []string `json:"wait_codes,omitempty"`
}

// wakeConcurrency bounds the signal-with-start calls in flight for a large wake-up.
const wakeConcurrency = 16

// Wake signals each account's Dunning workflow that its items changed,
// starting the ones that are not running: one workflow per account, never
// two. It returns how many accounts it reached.
func (f *Client) Wake(ctx context.Context, customerIDs []int64) (int, error) {
	if err := f.ready(); err != nil {
		return 0, err
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		reached int
		errs    []error
	)
	sem := make(chan struct{}, wakeConcurrency)
	for _, id := range customerIDs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := f.c.SignalWithStartWorkflow(ctx, DunningWorkflowID(id), SignalInvoicesChanged, nil,
				client.StartWorkflowOptions{
					ID:        DunningWorkflowID(id),
					TaskQueue: TaskQueue,
					TypedSearchAttributes: temporal.NewSearchAttributes(
						KeyCustomer.ValueSet(strconv.FormatInt(id, 10)), KeyPaused.ValueSet(false)),
				}, WorkflowDunning, DunningInput{CustomerID: id})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("customer %d: %w", id, err))
				return
			}
			reached++
		}()
	}
	wg.Wait()
	return reached, errors.Join(errs...)
}

// Pause stops an account's reminders until resumed or until req.Until.
func (f *Client) Pause(ctx context.Context, customerID int64, req PauseRequest) (PauseState, error) {
	var out PauseState
	return out, f.update(ctx, customerID, UpdatePause, req, &out)
}

// Resume lifts a pause.
func (f *Client) Resume(ctx context.Context, customerID int64, req ResumeRequest) (PauseState, error) {
	var out PauseState
	return out, f.update(ctx, customerID, UpdateResume, req, &out)
}

// Reassign gives the account to another agent and answers the agent.
func (f *Client) Reassign(ctx context.Context, customerID int64, req ReassignRequest) (string, error) {
	var out string
	return out, f.update(ctx, customerID, UpdateReassign, req, &out)
}

// ReassignIfRunning gives the account to another agent through its running
// workflow; running is false (and nothing happened) when none runs.
func (f *Client) ReassignIfRunning(ctx context.Context, customerID int64, req ReassignRequest) (agent string, running bool, err error) {
	running, err = f.updateIfRunning(ctx, customerID, UpdateReassign, req, &agent)
	return agent, running, err
}

// Status answers the live state of one account's workflow.
func (f *Client) Status(ctx context.Context, customerID int64) (DunningStatus, error) {
	var st DunningStatus
	if err := f.ready(); err != nil {
		return st, err
	}
	// Temporal answers queries on closed runs too; a closed run is not a live status.
	desc, err := f.c.DescribeWorkflowExecution(ctx, DunningWorkflowID(customerID), "")
	if err != nil {
		return st, noWorkflow(err, customerID, domain.CodeNotFound)
	}
	if s := desc.GetWorkflowExecutionInfo().GetStatus(); s != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return st, domain.Errorf(domain.CodeNotFound, "customer %d has no running dunning workflow (its last run ended: %s)",
			customerID, strings.ToLower(strings.TrimPrefix(s.String(), "WORKFLOW_EXECUTION_STATUS_")))
	}
	v, err := f.c.QueryWorkflow(ctx, DunningWorkflowID(customerID), "", QueryStatus)
	if err != nil {
		return st, noWorkflow(err, customerID, domain.CodeNotFound)
	}
	return st, v.Get(&st)
}

// DeliveryFailed tells the account's workflow that a text or call it sent did
// not reach the customer. An account whose workflow has ended needs nothing.
func (f *Client) DeliveryFailed(ctx context.Context, customerID int64, key string) error {
	if err := f.ready(); err != nil {
		return err
	}
	err := f.c.SignalWorkflow(ctx, DunningWorkflowID(customerID), "", SignalDeliveryFailed, DeliveryFailed{Key: key})
	if isNotFound(err) {
		return nil
	}
	return err
}

func (f *Client) update(ctx context.Context, customerID int64, name string, arg, out any) error {
	if err := f.ready(); err != nil {
		return err
	}
	return updateError(f.rawUpdate(ctx, customerID, name, arg, out), customerID)
}

// updateIfRunning is update for a caller that does without a workflow:
// running is false (and nothing happened) when none runs.
func (f *Client) updateIfRunning(ctx context.Context, customerID int64, name string, arg, out any) (bool, error) {
	if err := f.ready(); err != nil {
		return false, err
	}
	err := f.rawUpdate(ctx, customerID, name, arg, out)
	if isNotFound(err) {
		return false, nil
	}
	return true, updateError(err, customerID)
}

// rawUpdate runs an update of the account's workflow and answers Temporal's error as it is.
func (f *Client) rawUpdate(ctx context.Context, customerID int64, name string, arg, out any) error {
	h, err := f.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: DunningWorkflowID(customerID), UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
	return err
}

// updateError makes an update's error a domain error.
func updateError(err error, customerID int64) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) { // the workflow's validator said no: a conflict with its state
		return domain.Errorf(domain.CodeConflict, "customer %d: %s", customerID, app.Message())
	}
	return noWorkflow(err, customerID, domain.CodeConflict)
}

// noWorkflow turns "workflow not found" into a domain error that says why.
func noWorkflow(err error, customerID int64, code domain.Code) error {
	if isNotFound(err) {
		return domain.Errorf(code, "customer %d has no running dunning workflow (it runs while the account has open items)", customerID)
	}
	return err
}
