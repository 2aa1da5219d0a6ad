// Package dunningctl starts and messages accounts' Dunning workflows from
// outside Temporal (the API, the dev environment): signal-with-start when an
// account's items change, updates for the commands people give, the status
// query. Temporal's errors become domain errors here, in one place.
package dunningctl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/workflows"
)

// Control holds the Temporal client.
type Control struct {
	Client client.Client
}

// touchConcurrency bounds the signal-with-start calls in flight for a large import.
const touchConcurrency = 16

// Touch wakes the Dunning workflow of each account, starting the ones that
// are not running: one workflow per account, never two. It returns how many
// accounts it reached.
func (c *Control) Touch(ctx context.Context, customerIDs []int64) (int, error) {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		reached int
		errs    []error
	)
	sem := make(chan struct{}, touchConcurrency)
	for _, id := range customerIDs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := c.Client.SignalWithStartWorkflow(ctx, workflows.DunningWorkflowID(id), workflows.SignalInvoicesChanged, nil,
				client.StartWorkflowOptions{
					ID:        workflows.DunningWorkflowID(id),
					TaskQueue: workflows.TaskQueue,
					TypedSearchAttributes: temporal.NewSearchAttributes(
						workflows.KeyCustomer.ValueSet(strconv.FormatInt(id, 10)), workflows.KeyPaused.ValueSet(false)),
				}, workflows.Dunning, workflows.DunningInput{CustomerID: id})
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
func (c *Control) Pause(ctx context.Context, customerID int64, req workflows.PauseRequest) (workflows.PauseState, error) {
	var out workflows.PauseState
	return out, c.update(ctx, customerID, workflows.UpdatePause, req, &out)
}

// Resume lifts a pause.
func (c *Control) Resume(ctx context.Context, customerID int64, req workflows.ResumeRequest) (workflows.PauseState, error) {
	var out workflows.PauseState
	return out, c.update(ctx, customerID, workflows.UpdateResume, req, &out)
}

// Reassign gives the account to another agent.
func (c *Control) Reassign(ctx context.Context, customerID int64, req workflows.ReassignRequest) (string, error) {
	var out string
	return out, c.update(ctx, customerID, workflows.UpdateReassign, req, &out)
}

// Status answers the live state of one account's workflow.
func (c *Control) Status(ctx context.Context, customerID int64) (workflows.DunningStatus, error) {
	var st workflows.DunningStatus
	// Temporal answers queries on closed runs too; a closed run is not a live status.
	desc, err := c.Client.DescribeWorkflowExecution(ctx, workflows.DunningWorkflowID(customerID), "")
	if err != nil {
		return st, noWorkflow(err, customerID, domain.CodeNotFound)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return st, domain.Errorf(domain.CodeNotFound, "customer %d has no running dunning workflow (its last run ended: %s)",
			customerID, strings.ToLower(strings.TrimPrefix(desc.GetWorkflowExecutionInfo().GetStatus().String(), "WORKFLOW_EXECUTION_STATUS_")))
	}
	v, err := c.Client.QueryWorkflow(ctx, workflows.DunningWorkflowID(customerID), "", workflows.QueryStatus)
	if err != nil {
		return st, noWorkflow(err, customerID, domain.CodeNotFound)
	}
	return st, v.Get(&st)
}

func (c *Control) update(ctx context.Context, customerID int64, name string, arg, out any) error {
	h, err := c.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.DunningWorkflowID(customerID), UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
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
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return domain.Errorf(code, "customer %d has no running dunning workflow (it runs while the account has open items)", customerID)
	}
	return err
}

// DeliveryFailed tells the account's workflow that a text or call it sent did
// not reach the customer. An account whose workflow has ended needs nothing.
func (c *Control) DeliveryFailed(ctx context.Context, customerID int64, key string) error {
	err := c.Client.SignalWorkflow(ctx, workflows.DunningWorkflowID(customerID), "", workflows.SignalDeliveryFailed,
		workflows.DeliveryFailed{Key: key})
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// WakeImport starts the durable wake-up of every account an import touched
// (the WakeAccounts workflow). A run already going for the import is that
// wake-up; a closed one (e.g. a database reset under the same namespace) does
// not stop a new one: waking twice is harmless.
func (c *Control) WakeImport(ctx context.Context, importID int64) (string, error) {
	id := workflows.WakeAccountsWorkflowID(importID)
	_, err := c.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, workflows.WakeAccounts, importID)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return id, nil
	}
	return id, err
}

// StartSweep makes sure the namespace's sweep of open accounts runs (one per
// namespace: a running sweep is kept as it is).
func (c *Control) StartSweep(ctx context.Context, in workflows.SweepInput) error {
	_, err := c.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SweepWorkflowID, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, workflows.SweepOpenAccounts, in)
	return err
}
