package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/store"
)

type riskRuleView struct {
	ID          int64     `json:"id"`
	Entity      string    `json:"entity"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Points      *int      `json:"points"`
	Days        *int      `json:"days"`
	Scale       []string  `json:"scale"`
	Consecutive int       `json:"consecutive"`
	Notify      bool      `json:"notify"`
	Email       bool      `json:"email"`
	ScenarioID  *int64    `json:"scenario_id"`
	CreditHold  bool      `json:"credit_hold"`
	TaskKind    *string   `json:"task_kind"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toRiskRule(r store.RiskRule) riskRuleView {
	v := riskRuleView{ID: r.ID, Entity: r.Entity, Name: r.Name, Kind: string(r.Kind), Points: r.Points, Days: r.Days, Scale: r.Scale,
		Consecutive: r.Consecutive, Notify: r.Notify, Email: r.Email, ScenarioID: r.ScenarioID, CreditHold: r.CreditHold,
		Active: r.Active, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.TaskKind != nil {
		k := string(*r.TaskKind)
		v.TaskKind = &k
	}
	if v.Scale == nil {
		v.Scale = []string{}
	}
	return v
}

func (s *Server) listRiskRules(c *gin.Context) error {
	if err := queryParams(c, "entity"); err != nil {
		return err
	}
	list, err := s.app.RiskRules(c.Request.Context(), principal(c), c.Query("entity"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toRiskRule)})
	return nil
}

func (s *Server) getRiskRule(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	r, err := s.app.RiskRule(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRiskRule(r))
	return nil
}

func (s *Server) createRiskRule(c *gin.Context) error {
	var req app.RiskRuleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.CreateRiskRule(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toRiskRule(r))
	return nil
}

func (s *Server) updateRiskRule(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	var req app.RiskRuleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.UpdateRiskRule(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRiskRule(r))
	return nil
}

func (s *Server) deleteRiskRule(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	if err := s.app.DeleteRiskRule(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

type riskAlertView struct {
	ID             int64           `json:"id"`
	CustomerID     int64           `json:"customer_id"`
	CustomerName   string          `json:"customer_name"`
	Kind           string          `json:"kind"`
	RuleID         *int64          `json:"rule_id"`
	RuleName       string          `json:"rule_name"`
	SignalID       *int64          `json:"signal_id"`
	Detail         json.RawMessage `json:"detail"`
	CreatedAt      time.Time       `json:"created_at"`
	AcknowledgedAt *time.Time      `json:"acknowledged_at"`
	AcknowledgedBy string          `json:"acknowledged_by"`
}

func toRiskAlert(a store.RiskAlertView) riskAlertView {
	v := riskAlertView{ID: a.ID, CustomerID: a.CustomerID, CustomerName: a.CustomerName, Kind: a.Kind, RuleID: a.RuleID,
		RuleName: a.RuleName, SignalID: a.SignalID, Detail: a.Detail, CreatedAt: a.CreatedAt.UTC(),
		AcknowledgedAt: utcPtr(a.AcknowledgedAt), AcknowledgedBy: a.AcknowledgedBy}
	if len(v.Detail) == 0 {
		v.Detail = json.RawMessage(`{}`)
	}
	return v
}

func (s *Server) listRiskAlerts(c *gin.Context) error {
	if err := queryParams(c, "customer", "state", "limit", "offset"); err != nil {
		return err
	}
	q := app.RiskAlertQuery{State: c.Query("state")}
	var err error
	if q.Page, err = page(c); err != nil {
		return err
	}
	customer, err := optionalID(c, "customer")
	if err != nil {
		return err
	}
	if customer != nil {
		q.CustomerID = *customer
	}
	list, total, err := s.app.RiskAlerts(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pageView[riskAlertView]{Items: mapSlice(list, toRiskAlert), Total: total, Limit: q.Limit, Offset: q.Offset})
	return nil
}

func (s *Server) releaseProceedings(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.ReleaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ids, err := s.app.ReleaseProceedings(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"customer_id": id, "invoice_ids": ids})
	return nil
}

func (s *Server) acknowledgeRiskAlert(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	if err := s.app.AcknowledgeRiskAlert(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
