package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/flow"
	"recoup/store"
)

// assignPortfolio moves accounts picked by a list or a filter to one agent
// (or, with dry_run, says which would move).
func (s *Server) assignPortfolio(c *gin.Context) error {
	var req app.AssignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.AssignPortfolio(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	if out.Accounts == nil {
		out.Accounts = []store.PortfolioAccount{}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

type agentRulesBody struct {
	Items []store.AgentRule `json:"items"`
}

func (s *Server) listAgentRules(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	rules, err := s.app.AgentRules(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	if rules == nil {
		rules = []store.AgentRule{}
	}
	c.JSON(http.StatusOK, agentRulesBody{Items: rules})
	return nil
}

// putAgentRules replaces the whole list of agent rules.
func (s *Server) putAgentRules(c *gin.Context) error {
	var body agentRulesBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	rules, err := s.app.ReplaceAgentRules(c.Request.Context(), principal(c), body.Items)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, agentRulesBody{Items: rules})
	return nil
}

type absenceView struct {
	ID           int64      `json:"id"`
	WorkflowID   string     `json:"workflow_id"`
	AgentEmail   string     `json:"agent_email"`
	Delegates    []string   `json:"delegates"`
	From         time.Time  `json:"from"`
	Until        *time.Time `json:"until"`
	Reason       string     `json:"reason"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	EndedEarlyAt *time.Time `json:"ended_early_at"`
	EndedBy      string     `json:"ended_by"`
	Moved        int64      `json:"moved_accounts"`
	Returned     int64      `json:"returned_accounts"`
	Kept         int64      `json:"kept_accounts"`
}

func toAbsence(a store.Absence) absenceView {
	return absenceView{ID: a.ID, WorkflowID: flow.HandoverWorkflowID(a.ID), AgentEmail: a.AgentEmail, Delegates: a.Delegates,
		From: a.StartsAt.UTC(), Until: utcPtr(a.EndsAt), Reason: a.Reason, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt.UTC(),
		EndedEarlyAt: utcPtr(a.EndedEarlyAt), EndedBy: a.EndedBy, Moved: a.Moved, Returned: a.Returned, Kept: a.Kept}
}

func (s *Server) listAbsences(c *gin.Context) error {
	if err := queryParams(c, "agent", "limit", "offset"); err != nil {
		return err
	}
	q := app.AbsenceQuery{Agent: c.Query("agent")}
	var err error
	if q.Page, err = page(c); err != nil {
		return err
	}
	list, total, err := s.app.Absences(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pageView[absenceView]{Items: mapSlice(list, toAbsence), Total: total, Limit: q.Limit, Offset: q.Offset})
	return nil
}

// createAbsence records an absence and starts its Handover workflow.
func (s *Server) createAbsence(c *gin.Context) error {
	var req app.AbsenceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.app.CreateAbsence(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toAbsence(a))
	return nil
}

func (s *Server) getAbsence(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	a, err := s.app.Absence(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toAbsence(a))
	return nil
}

// endAbsence ends an absence now: its handover moves the accounts back.
func (s *Server) endAbsence(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	a, err := s.app.EndAbsence(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toAbsence(a))
	return nil
}

// changeAbsence changes an absence's dates; its handover waits for the new ones.
func (s *Server) changeAbsence(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	var req app.AbsenceDates
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.app.ChangeAbsence(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toAbsence(a))
	return nil
}
