package history

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// ErrNotFound: Temporal holds no run of the workflow (never started, or every
// run is past the namespace's retention).
var ErrNotFound = errors.New("history: no run of the workflow found")

// Fetch reads every run of workflowID that Temporal still holds and returns
// their entries sorted by time. Runs come from visibility and from the
// continue-as-new chain walked back from the latest run: visibility lags
// and may forget runs its own retention dropped, while the chain stops at the
// first run past history retention.
func Fetch(ctx context.Context, c client.Client, workflowID string) ([]Entry, error) {
	ids, err := listRuns(ctx, c, workflowID)
	if err != nil {
		return nil, err
	}
	latest, err := latestRun(ctx, c, workflowID)
	if err != nil {
		return nil, err
	}
	runs := map[string]*run{} // nil: gone past retention
	read := func(runID string) (*run, error) {
		if r, ok := runs[runID]; ok {
			return r, nil
		}
		r, err := readRun(ctx, c, workflowID, runID)
		if err != nil {
			return nil, err
		}
		runs[runID] = r
		return r, nil
	}
	for _, id := range ids {
		if _, err := read(id); err != nil {
			return nil, err
		}
	}
	walked := map[string]bool{}
	for id := latest; id != "" && !walked[id]; {
		walked[id] = true
		r, err := read(id)
		if err != nil {
			return nil, err
		}
		if r == nil {
			break // older runs are gone too
		}
		id = r.prev
	}

	held := slices.DeleteFunc(slices.Collect(maps.Values(runs)), func(r *run) bool { return r == nil })
	if len(held) == 0 {
		return nil, ErrNotFound
	}
	// Runs in the order they started, so entries at the same instant stay in run order.
	slices.SortFunc(held, func(a, b *run) int { return a.start.Compare(b.start) })
	var out []Entry
	for _, r := range held {
		out = append(out, r.entries...)
	}
	slices.SortStableFunc(out, byTime)
	return out, nil
}

type run struct {
	prev    string // the run it continued, if any
	start   time.Time
	entries []Entry
}

// listRuns asks visibility for every run of the workflow.
func listRuns(ctx context.Context, c client.Client, workflowID string) ([]string, error) {
	var ids []string
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = " + strconv.Quote(workflowID)}
	for {
		resp, err := c.ListWorkflow(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list runs of %s: %w", workflowID, err)
		}
		for _, info := range resp.GetExecutions() {
			ids = append(ids, info.GetExecution().GetRunId())
		}
		if len(resp.GetNextPageToken()) == 0 {
			return ids, nil
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
}

// latestRun is the current run, or the last one if the workflow has ended; "" if none.
func latestRun(ctx context.Context, c client.Client, workflowID string) (string, error) {
	resp, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if isNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", workflowID, err)
	}
	return resp.GetWorkflowExecutionInfo().GetExecution().GetRunId(), nil
}

// readRun reads one run's history; nil if Temporal no longer holds it.
func readRun(ctx context.Context, c client.Client, workflowID, runID string) (*run, error) {
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history of %s run %s: %w", workflowID, runID, err)
		}
		events = append(events, ev)
	}
	if len(events) == 0 {
		return nil, nil
	}
	r := &run{start: events[0].GetEventTime().AsTime(), entries: FromEvents(runID, events)}
	if a := events[0].GetWorkflowExecutionStartedEventAttributes(); a != nil {
		r.prev = a.GetContinuedExecutionRunId()
	}
	return r, nil
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
