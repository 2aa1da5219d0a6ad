package flow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"recoup/domain"
)

// SignalHandoverEnd ends an absence early: the Handover workflow moves the
// accounts back at once (or moves nothing, when the absence has not begun).
const SignalHandoverEnd = "handover-end"

// SignalHandoverDates changes an absence's dates: the start (while it has not
// begun) and the end (zero: the agent leaves for good).
const SignalHandoverDates = "handover-dates"

// HandoverWorkflowID is the one Handover workflow of an absence.
func HandoverWorkflowID(absenceID int64) string {
	return "handover/" + strconv.FormatInt(absenceID, 10)
}

// HandoverInput starts an absence's handover, or carries its state across
// continue-as-new.
type HandoverInput struct {
	AbsenceID int64     `json:"absence_id"`
	Agent     string    `json:"agent"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until,omitzero"` // zero: the agent leaves for good (nothing moves back)
	By        string    `json:"by"`             // who asked for the absence: every move is journaled in their name
	MovedOut  bool      `json:"moved_out,omitempty"`
	Ended     bool      `json:"ended,omitempty"` // ended early
	EndedBy   string    `json:"ended_by,omitempty"`
}

// HandoverEnd is the handover-end signal's payload.
type HandoverEnd struct {
	By string `json:"by"`
}

// HandoverDates is the handover-dates signal's payload.
type HandoverDates struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until,omitzero"`
}

// HandoverResult is what one side of a handover did.
type HandoverResult struct {
	Accounts int `json:"accounts"` // accounts moved (out, or back)
	Kept     int `json:"kept"`     // at the end: accounts and tasks left with whom someone gave them meanwhile
	Tasks    int `json:"tasks"`    // open tasks moved
	Failed   int `json:"failed"`   // could not be moved (journaled and logged)
}

// StartHandover starts an absence's Handover workflow; one already running for it is kept.
func (f *Client) StartHandover(ctx context.Context, in HandoverInput) error {
	return f.startKept(ctx, HandoverWorkflowID(in.AbsenceID), WorkflowHandover, in)
}

// EndHandover asks an absence's Handover workflow to end now. A handover
// that has already finished needs nothing.
func (f *Client) EndHandover(ctx context.Context, absenceID int64, by string) error {
	if err := f.ready(); err != nil {
		return err
	}
	err := f.c.SignalWorkflow(ctx, HandoverWorkflowID(absenceID), "", SignalHandoverEnd, HandoverEnd{By: by})
	if isNotFound(err) {
		return nil
	}
	return err
}

// ChangeHandoverDates tells an absence's Handover workflow its new dates.
func (f *Client) ChangeHandoverDates(ctx context.Context, absenceID int64, d HandoverDates) error {
	if err := f.ready(); err != nil {
		return err
	}
	err := f.c.SignalWorkflow(ctx, HandoverWorkflowID(absenceID), "", SignalHandoverDates, d)
	if isNotFound(err) {
		return domain.Errorf(domain.CodeConflict, "the handover of absence %d has finished: its dates no longer matter", absenceID)
	}
	return err
}

// AgentAccounts lists one page of the customers whose running Dunning
// workflow has the agent in its RecoupAgent search attribute (a visibility
// query: eventually consistent, so callers check Postgres too). page is ""
// for the first page; the answer's next page is "" after the last.
func (f *Client) AgentAccounts(ctx context.Context, agent string, page []byte) ([]int64, []byte, error) {
	if err := f.ready(); err != nil {
		return nil, nil, err
	}
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'",
		WorkflowDunning, AttrAgent, strings.ReplaceAll(agent, "'", ""))
	resp, err := f.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: 1000, NextPageToken: page})
	var invalid *serviceerror.InvalidArgument
	if errors.As(err, &invalid) {
		return nil, nil, fmt.Errorf("visibility query %q: %w", q, err)
	}
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, 0, len(resp.GetExecutions()))
	for _, e := range resp.GetExecutions() {
		id, err := dunningCustomerID(e.GetExecution().GetWorkflowId())
		if err == nil {
			ids = append(ids, id)
		}
	}
	return ids, resp.GetNextPageToken(), nil
}
