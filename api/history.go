package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/history"
	"recoup/store"
	"recoup/workflows"
)

var historyKinds = []string{history.KindJournal, history.KindWorkflow, history.KindStep, history.KindSignal,
	history.KindUpdate, history.KindTimer, history.KindActivity, history.KindMarker}

type historyQuery struct {
	from, to *time.Time
	kinds    []string
	csv      bool
}

func parseHistoryQuery(c *gin.Context) (historyQuery, error) {
	var q historyQuery
	if err := queryParams(c, "from", "to", "kind", "format"); err != nil {
		return q, err
	}
	var err error
	if q.from, err = optionalTime(c, "from"); err != nil {
		return q, err
	}
	if q.to, err = optionalTime(c, "to"); err != nil {
		return q, err
	}
	if q.from != nil && q.to != nil && !q.from.Before(*q.to) {
		return q, domain.FieldError("to", "must be after from")
	}
	if v := c.Query("kind"); v != "" {
		for _, k := range strings.Split(v, ",") {
			if !slices.Contains(historyKinds, k) {
				return q, domain.FieldError("kind", "%q: want a comma-separated list of %s", k, strings.Join(historyKinds, ", "))
			}
			q.kinds = append(q.kinds, k)
		}
	}
	switch c.Query("format") {
	case "", "json":
	case "csv":
		q.csv = true
	default:
		return q, domain.FieldError("format", "%q: want json or csv", c.Query("format"))
	}
	return q, nil
}

// optionalTime reads a date (the start of that day, UTC) or an RFC 3339 time.
func optionalTime(c *gin.Context, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, domain.FieldError(name, "%q: want a date (2026-11-22) or an RFC 3339 time", v)
		}
	}
	t = t.UTC()
	return &t, nil
}

type historyView struct {
	CustomerID int64           `json:"customer_id"`
	Workflow   string          `json:"workflow_history"` // complete, none, or why it is missing
	Truncated  bool            `json:"truncated"`
	Entries    []history.Entry `json:"entries"`
}

// customerHistory is the compliance timeline of one account: the audit
// journal merged with the Temporal history of every run of its Dunning
// workflow. The journal alone still answers once Temporal's retention has
// dropped old runs, or when Temporal is down. Every read is itself journaled.
func (s *Server) customerHistory(c *gin.Context) {
	id, ok := s.visibleCustomer(c)
	if !ok {
		return
	}
	q, err := parseHistoryQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	viewed, _ := json.Marshal(map[string]any{"query": c.Request.URL.RawQuery})
	if err := s.store.Append(ctx, store.Entry{Actor: actor(c), Action: "customer.history.view",
		Target: fmt.Sprintf("customer/%d", id), After: viewed}); err != nil {
		s.fail(c, err)
		return
	}
	rows, err := s.store.CustomerJournal(ctx, id, q.from, q.to, store.MaxHistoryRows)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := historyView{CustomerID: id, Truncated: len(rows) == store.MaxHistoryRows}
	journal := make([]history.Entry, len(rows))
	for i, r := range rows {
		journal[i] = journalEntry(r)
	}
	flow, status := s.workflowHistory(ctx, id)
	v.Workflow = status
	v.Entries = history.Filter(history.Merge(journal, flow), q.from, q.to, q.kinds)
	if len(v.Entries) > store.MaxHistoryRows {
		v.Entries, v.Truncated = v.Entries[:store.MaxHistoryRows], true
	}
	if v.Entries == nil {
		v.Entries = []history.Entry{}
	}
	if q.csv {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="customer-%d-history.csv"`, id))
		c.Status(http.StatusOK)
		if err := history.WriteCSV(c.Writer, v.Entries); err != nil {
			s.log.ErrorContext(ctx, "history CSV", "err", err)
		}
		return
	}
	c.JSON(http.StatusOK, v)
}

// workflowHistory reads Temporal's side; what it cannot read is said, not failed.
func (s *Server) workflowHistory(ctx context.Context, customerID int64) ([]history.Entry, string) {
	if s.temporal == nil {
		return nil, "unavailable: this API process has no Temporal connection; the journal is complete"
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	entries, err := history.Fetch(ctx, s.temporal, workflows.DunningWorkflowID(customerID))
	switch {
	case errors.Is(err, history.ErrNotFound):
		return nil, "none: no run within Temporal's retention; the journal is complete"
	case err != nil:
		s.log.WarnContext(ctx, "workflow history", "customer", customerID, "err", err)
		return nil, "unavailable: Temporal did not answer; the journal is complete"
	}
	return entries, "complete"
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
