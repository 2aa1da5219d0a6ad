package flow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"recoup/domain"
)

// Probe is what this process last saw of Temporal.
type Probe struct {
	Watched     bool          // a Watch runs; without one, calls find out for themselves
	Up          bool          // the last check or call reached it
	CheckedAt   time.Time     // the last check
	Latency     time.Duration // of the last check that answered
	DownSince   time.Time     // zero while up
	LastError   string
	LastErrorAt time.Time
}

// health is shared by a Client and its guarded SDK client.
type health struct {
	mu sync.Mutex
	p  Probe
}

func (h *health) get() Probe {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.p
}

func (h *health) up(latency time.Duration, checked bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.p.Up, h.p.DownSince = true, time.Time{}
	if checked {
		h.p.CheckedAt, h.p.Latency = time.Now().UTC(), latency
	}
}

func (h *health) down(err error, checked bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now().UTC()
	if h.p.Up || h.p.DownSince.IsZero() {
		h.p.DownSince = now
	}
	h.p.Up, h.p.LastError, h.p.LastErrorAt = false, err.Error(), now
	if checked {
		h.p.CheckedAt = now
	}
}

// Probe is what this process last saw of Temporal (a nil Client: never seen).
func (f *Client) Probe() Probe {
	if f == nil {
		return Probe{LastError: ErrUnavailable.Error()}
	}
	return f.health.get()
}

// checkTimeout bounds one health check.
const checkTimeout = 3 * time.Second

// Watch checks Temporal every so often until ctx ends. While a check or a
// call finds it down, what needs Temporal answers CodeUnavailable at once
// instead of each command waiting out the SDK's retries; the next check that
// answers lifts it. The SDK client reconnects by itself.
func (f *Client) Watch(ctx context.Context, every time.Duration) {
	f.health.mu.Lock()
	f.health.p.Watched = true
	f.health.mu.Unlock()
	for {
		f.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Check asks Temporal once whether it answers, and records the outcome.
func (f *Client) Check(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	start := time.Now()
	_, err := f.c.CheckHealth(cctx, &client.CheckHealthRequest{})
	if err != nil {
		f.health.down(err, true)
		return err
	}
	f.health.up(time.Since(start), true)
	return nil
}

// unavailable says Temporal is known to be down, or nil.
func (f *Client) unavailable() error {
	p := f.health.get()
	if !p.Watched || p.Up || p.DownSince.IsZero() {
		return nil
	}
	return downError(p)
}

func downError(p Probe) error {
	return domain.Errorf(domain.CodeUnavailable, "Temporal does not answer (since %s: %s): try again in a minute; "+
		"what is stored is still shown, and changes already saved are caught up when it is back",
		p.DownSince.Format("15:04:05 UTC"), p.LastError)
}

// unreachable reports whether err says the call did not reach Temporal.
func unreachable(ctx context.Context, err error) bool {
	var u *serviceerror.Unavailable
	var d *serviceerror.DeadlineExceeded
	return errors.As(err, &u) || errors.As(err, &d) ||
		(errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil)
}

// guarded is the SDK client with each call's failure to reach Temporal
// recorded and answered as CodeUnavailable, so the API says 503 and the
// pages say why, instead of an internal error.
type guarded struct {
	client.Client
	h *health
}

func (g guarded) seen(ctx context.Context, err error) error {
	if err == nil {
		g.h.up(0, false)
		return nil
	}
	if !unreachable(ctx, err) {
		return err
	}
	g.h.down(err, false)
	return fmt.Errorf("%w (%v)", downError(g.h.get()), err)
}

func (g guarded) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	r, err := g.Client.ExecuteWorkflow(ctx, o, wf, args...)
	return r, g.seen(ctx, err)
}

func (g guarded) SignalWorkflow(ctx context.Context, id, runID, name string, arg any) error {
	return g.seen(ctx, g.Client.SignalWorkflow(ctx, id, runID, name, arg))
}

func (g guarded) SignalWithStartWorkflow(ctx context.Context, id, name string, arg any, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	r, err := g.Client.SignalWithStartWorkflow(ctx, id, name, arg, o, wf, args...)
	return r, g.seen(ctx, err)
}

func (g guarded) QueryWorkflow(ctx context.Context, id, runID, query string, args ...any) (converter.EncodedValue, error) {
	v, err := g.Client.QueryWorkflow(ctx, id, runID, query, args...)
	return v, g.seen(ctx, err)
}

func (g guarded) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	h, err := g.Client.UpdateWorkflow(ctx, o)
	return h, g.seen(ctx, err)
}

func (g guarded) DescribeWorkflowExecution(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	d, err := g.Client.DescribeWorkflowExecution(ctx, id, runID)
	return d, g.seen(ctx, err)
}

func (g guarded) ListWorkflow(ctx context.Context, r *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	l, err := g.Client.ListWorkflow(ctx, r)
	return l, g.seen(ctx, err)
}
