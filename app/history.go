package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/flow"
	"recoup/history"
	"recoup/store"
)

// HistoryQuery narrows a compliance timeline; from and to are dates
// (2026-11-22, the start of that day, UTC) or RFC 3339 times, kinds a
// comma-separated list. Raw is the query as the caller wrote it, for the journal.
type HistoryQuery struct {
	From, To, Kinds string
	Raw             string
}

// History is the compliance timeline of one account.
type History struct {
	CustomerID int64
	Workflow   string // complete, none, or why Temporal's side is missing
	Truncated  bool
	Entries    []history.Entry
}

var historyKinds = []string{history.KindJournal, history.KindWorkflow, history.KindStep, history.KindSignal,
	history.KindUpdate, history.KindTimer, history.KindActivity, history.KindMarker}

// CustomerHistory merges the audit journal with the Temporal history of every
// run of the account's Dunning workflow. The journal alone still answers once
// Temporal's retention has dropped old runs, or when Temporal is down. Every
// read is itself journaled.
func (a *App) CustomerHistory(ctx context.Context, who domain.Principal, customerID int64, q HistoryQuery) (History, error) {
	h := History{CustomerID: customerID}
	if err := a.visibleCustomer(ctx, who, auth.HistoryRead, customerID); err != nil {
		return h, err
	}
	from, err := historyTime("from", q.From)
	if err != nil {
		return h, err
	}
	to, err := historyTime("to", q.To)
	if err != nil {
		return h, err
	}
	if from != nil && to != nil && !from.Before(*to) {
		return h, domain.FieldError("to", "must be after from")
	}
	var kinds []string
	if q.Kinds != "" {
		for _, k := range strings.Split(q.Kinds, ",") {
			if !slices.Contains(historyKinds, k) {
				return h, domain.FieldError("kind", "%q: want a comma-separated list of %s", k, strings.Join(historyKinds, ", "))
			}
			kinds = append(kinds, k)
		}
	}
	viewed, _ := json.Marshal(map[string]any{"query": q.Raw})
	if err := a.store.Append(ctx, store.Entry{Actor: who.Actor(), Action: "customer.history.view",
		Target: customerTarget(customerID), After: viewed}); err != nil {
		return h, err
	}
	rows, err := a.store.CustomerJournal(ctx, customerID, from, to, store.MaxHistoryRows)
	if err != nil {
		return h, err
	}
	h.Truncated = len(rows) == store.MaxHistoryRows
	journal := journalEntries(rows)
	runs, status := a.workflowHistory(ctx, customerID)
	h.Workflow = status
	h.Entries = history.Filter(history.Merge(journal, runs), from, to, kinds)
	if len(h.Entries) > store.MaxHistoryRows {
		h.Entries, h.Truncated = h.Entries[:store.MaxHistoryRows], true
	}
	if h.Entries == nil {
		h.Entries = []history.Entry{}
	}
	return h, nil
}

// historyTime reads a date (the start of that day, UTC) or an RFC 3339 time.
func historyTime(field, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, domain.FieldError(field, "%q: want a date (2026-11-22) or an RFC 3339 time", v)
		}
	}
	t = t.UTC()
	return &t, nil
}

// workflowHistory reads Temporal's side; what it cannot read is said, not failed.
func (a *App) workflowHistory(ctx context.Context, customerID int64) ([]history.Entry, string) {
	return a.runsOf(ctx, flow.DunningWorkflowID(customerID))
}

// runsOf reads the Temporal history of every run of one workflow.
func (a *App) runsOf(ctx context.Context, workflowID string) ([]history.Entry, string) {
	if a.flow == nil {
		return nil, "unavailable: this API process has no Temporal connection; the journal is complete"
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	entries, err := history.Fetch(ctx, a.flow.Temporal(), workflowID)
	switch {
	case errors.Is(err, history.ErrNotFound):
		return nil, "none: no run within Temporal's retention; the journal is complete"
	case err != nil:
		a.log.WarnContext(ctx, "workflow history", "workflow", workflowID, "err", err)
		return nil, "unavailable: Temporal did not answer; the journal is complete"
	}
	return entries, "complete"
}

// journalEntries are journal rows as timeline entries.
func journalEntries(rows []store.JournalRow) []history.Entry {
	out := make([]history.Entry, len(rows))
	for i, r := range rows {
		out[i] = journalEntry(r)
	}
	return out
}

func journalEntry(r store.JournalRow) history.Entry {
	detail, _ := json.Marshal(struct {
		Seq       int64           `json:"seq"`
		Target    string          `json:"target"`
		RequestID string          `json:"request_id,omitempty"`
		Before    json.RawMessage `json:"before,omitempty"`
		After     json.RawMessage `json:"after,omitempty"`
	}{r.Seq, r.Target, r.RequestID, r.Before, r.After})
	return history.Entry{At: r.At.UTC(), Source: history.SourceJournal, Kind: history.KindJournal, Actor: r.Actor,
		Action: r.Action, Summary: fmt.Sprintf("%s: %s on %s", r.Actor, r.Action, r.Target), Detail: detail}
}
