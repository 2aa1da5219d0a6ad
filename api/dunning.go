package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
)

func (s *Server) dunningStatus(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	st, err := s.app.DunningStatus(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

func (s *Server) pauseDunning(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.PauseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	st, err := s.app.PauseDunning(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

func (s *Server) resumeDunning(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body struct{} // optional: resume takes nothing, but what comes must be an empty object
	err = queryParams(c)
	if err == nil && c.Request.ContentLength != 0 {
		err = decodeJSON(c, &body)
	}
	if err != nil {
		return err
	}
	st, err := s.app.ResumeDunning(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

func (s *Server) reassignDunning(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.ReassignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	agent, err := s.app.ReassignDunning(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"agent_email": agent})
	return nil
}

// previewDunning answers the calendar of actions the planner would take if nothing changes.
func (s *Server) previewDunning(c *gin.Context) error {
	if err := queryParams(c, "days"); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.app.PreviewDunning(c.Request.Context(), principal(c), id, c.Query("days"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"customer_id": p.CustomerID, "days": p.Days, "workflow_running": p.WorkflowRunning, "actions": p.Actions,
		"waiting": p.Waiting, "wait_codes": p.WaitCodes})
	return nil
}
