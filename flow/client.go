package flow

import (
	"context"
	"errors"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recoup/domain"
)

// Client starts and messages Recoup's workflows. A nil *Client stands for a
// process without Temporal: its methods answer domain.CodeUnavailable.
type Client struct {
	c      client.Client
	health *health
}

// NewClient wraps a Temporal client; nil gives nil.
func NewClient(c client.Client) *Client {
	if c == nil {
		return nil
	}
	h := &health{}
	return &Client{c: guarded{Client: c, h: h}, health: h}
}

// Temporal is the wrapped client, for what only the SDK does (reading histories).
func (f *Client) Temporal() client.Client { return f.c }

// ErrUnavailable answers what needs Temporal in a process without it.
var ErrUnavailable = domain.Errorf(domain.CodeUnavailable, "this process has no Temporal connection")

func (f *Client) ready() error {
	if f == nil {
		return ErrUnavailable
	}
	return f.unavailable()
}

// start makes sure a run of workflow wf goes under opts.ID, on the task
// queue: a run already going under that ID (refused by opts' policies) is
// what the caller asked for, not an error.
func (f *Client) start(ctx context.Context, opts client.StartWorkflowOptions, wf string, arg any) error {
	if err := f.ready(); err != nil {
		return err
	}
	opts.TaskQueue = TaskQueue
	_, err := f.c.ExecuteWorkflow(ctx, opts, wf, arg)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// startKept is start for a workflow of which one run at a time goes: a run
// going is kept as it is.
func (f *Client) startKept(ctx context.Context, id, wf string, arg any) error {
	return f.start(ctx, client.StartWorkflowOptions{ID: id,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, wf, arg)
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
