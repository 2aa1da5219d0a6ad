package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

type ruleView struct {
	ID         int64     `json:"id"`
	Position   int       `json:"position"`
	ScenarioID int64     `json:"scenario_id"`
	Entity     *string   `json:"entity"`
	Country    *string   `json:"country"`
	Category   *string   `json:"category"`
	RiskClass  *string   `json:"risk_class"`
	Currency   *string   `json:"currency"`
	MinAmount  *string   `json:"min_amount"`
	MaxAmount  *string   `json:"max_amount"`
	CreatedAt  time.Time `json:"created_at"`
}

func toRuleView(r store.AssignmentRule) ruleView {
	v := ruleView{ID: r.ID, Position: r.Position, ScenarioID: r.ScenarioID, Entity: r.EntityCode, Country: r.Country,
		Category: r.Category, RiskClass: r.RiskClass, Currency: r.Currency, CreatedAt: r.CreatedAt.UTC()}
	if r.Currency != nil {
		if cur, err := money.ParseCurrency(*r.Currency); err == nil {
			for _, b := range []struct {
				minor *int64
				out   **string
			}{{r.MinAmountMinor, &v.MinAmount}, {r.MaxAmountMinor, &v.MaxAmount}} {
				if b.minor != nil {
					s := money.FormatMinor(*b.minor, cur)
					*b.out = &s
				}
			}
		}
	}
	return v
}

func (s *Server) listRules(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Rules(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toRuleView)})
	return nil
}

func (s *Server) getRule(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	r, err := s.app.Rule(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRuleView(r))
	return nil
}

func (s *Server) createRule(c *gin.Context) error {
	var req app.RuleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.CreateRule(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toRuleView(r))
	return nil
}

func (s *Server) updateRule(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.RuleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.UpdateRule(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRuleView(r))
	return nil
}

func (s *Server) deleteRule(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.app.DeleteRule(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// pinRequest pins a customer to a scenario; scenario_id null unpins. The field
// is required, so that an empty body does not unpin by mistake.
type pinRequest struct {
	ScenarioID json.RawMessage `json:"scenario_id"`
}

type pinView struct {
	CustomerID int64  `json:"customer_id"`
	ScenarioID *int64 `json:"scenario_id"`
}

func (s *Server) pinScenario(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req pinRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var scenario *int64
	switch raw := bytes.TrimSpace(req.ScenarioID); {
	case len(raw) == 0:
		return domain.FieldError("scenario_id", "required: a scenario id, or null to unpin")
	case string(raw) == "null":
	default:
		var v int64
		if err := json.Unmarshal(raw, &v); err != nil || v < 1 {
			return domain.FieldError("scenario_id", "%s: want a positive integer id, or null to unpin", raw)
		}
		scenario = &v
	}
	if err := s.app.PinScenario(c.Request.Context(), principal(c), id, scenario); err != nil {
		return err
	}
	c.JSON(http.StatusOK, pinView{CustomerID: id, ScenarioID: scenario})
	return nil
}
