package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/flow"
	"recoup/store"
)

// The weekly reports: /reports, /reports/:id, /reports/:id/send.

type reportView struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Entity     string    `json:"entity"`
	GroupBy    string    `json:"group_by"`
	Currency   string    `json:"currency"`
	Recipients []string  `json:"recipients"`
	Language   string    `json:"language"`
	Weekday    int       `json:"weekday"`
	Hour       int       `json:"hour"`
	Active     bool      `json:"active"`
	CreatedBy  string    `json:"created_by"`
	ScheduleID string    `json:"schedule_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// ScheduleError says why the schedule is not in Temporal yet (a save only).
	ScheduleError *string `json:"schedule_error,omitempty"`
}

func toReportView(r store.Report) reportView {
	return reportView{ID: r.ID, Name: r.Name, Entity: r.Entity, GroupBy: r.GroupBy, Currency: r.Currency, Recipients: r.Recipients,
		Language: r.Language, Weekday: r.Weekday, Hour: r.Hour, Active: r.Active, CreatedBy: r.CreatedByEmail,
		ScheduleID: flow.ReportScheduleID(r.ID), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func toSavedReportView(r app.SavedReport) reportView {
	v := toReportView(r.Report)
	v.ScheduleError = &r.ScheduleError
	return v
}

// reportRequest is a report as the API takes it; weekday and hour are required.
type reportRequest struct {
	Name       string   `json:"name"`
	Entity     string   `json:"entity"`
	GroupBy    string   `json:"group_by"`
	Currency   string   `json:"currency"`
	Recipients []string `json:"recipients"`
	Language   string   `json:"language"`
	Weekday    *int     `json:"weekday"`
	Hour       *int     `json:"hour"`
	Active     *bool    `json:"active"`
}

func (r reportRequest) input() app.ReportInput {
	return app.ReportInput{Name: r.Name, Entity: r.Entity, GroupBy: r.GroupBy, Currency: r.Currency, Recipients: r.Recipients,
		Language: r.Language, Weekday: r.Weekday, Hour: r.Hour, Active: r.Active}
}

func (s *Server) listReports(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Reports(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toReportView)})
	return nil
}

func (s *Server) createReport(c *gin.Context) error {
	var req reportRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.SaveReport(c.Request.Context(), principal(c), 0, req.input())
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toSavedReportView(r))
	return nil
}

func (s *Server) updateReport(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req reportRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.SaveReport(c.Request.Context(), principal(c), id, req.input())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toSavedReportView(r))
	return nil
}

func (s *Server) deleteReport(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	if _, err := s.app.DeleteReport(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// sendReport sends a report now; the email goes out from the worker.
func (s *Server) sendReport(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	wid, err := s.app.RunReport(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"workflow_id": wid})
	return nil
}
