package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// ruleRequest creates or replaces an assignment rule. Criteria left out, null
// or "" match anything. Amounts are decimal strings in the band's currency.
type ruleRequest struct {
	Position   int     `json:"position"` // 0 or absent: after the last rule (create) or unchanged (update)
	ScenarioID int64   `json:"scenario_id"`
	Entity     *string `json:"entity"`
	Country    *string `json:"country"`
	Category   *string `json:"category"`
	RiskClass  *string `json:"risk_class"`
	Currency   *string `json:"currency"`
	MinAmount  *string `json:"min_amount"` // included
	MaxAmount  *string `json:"max_amount"` // excluded
}

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

var ruleCountryRE = regexp.MustCompile(`^[A-Z]{2}$`)

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

// maxRulePosition keeps positions well inside the int4 column.
const maxRulePosition = 1_000_000

// validRule checks a request and turns it into the rule to store; the store
// checks that the scenario and entity exist and that the position is free.
func validRule(req ruleRequest) (store.AssignmentRule, error) {
	r := store.AssignmentRule{Position: req.Position, ScenarioID: req.ScenarioID, EntityCode: ruleCriterion(req.Entity),
		Country: ruleCriterion(req.Country), Category: ruleCriterion(req.Category), RiskClass: ruleCriterion(req.RiskClass)}
	var errs []error
	if req.Position < 0 || req.Position > maxRulePosition {
		errs = append(errs, domain.FieldError("position", "%d: want 1 to %d (or none, to add the rule after the last one)", req.Position, maxRulePosition))
	}
	if req.ScenarioID < 1 {
		errs = append(errs, domain.FieldError("scenario_id", "required: the id of the scenario the rule assigns"))
	}
	if r.Country != nil && !ruleCountryRE.MatchString(*r.Country) {
		errs = append(errs, domain.FieldError("country", "%q: want an ISO 3166 code of two upper-case letters, such as FR", *r.Country))
	}
	var cur money.Currency
	if code := ruleCriterion(req.Currency); code != nil {
		c, err := money.ParseCurrency(*code)
		if err != nil {
			errs = append(errs, domain.FieldError("currency", "%v", err))
		} else {
			cur, r.Currency = c, new(c.Code())
		}
	}
	for _, b := range []struct {
		field string
		in    *string
		out   **int64
	}{{"min_amount", req.MinAmount, &r.MinAmountMinor}, {"max_amount", req.MaxAmount, &r.MaxAmountMinor}} {
		s := ruleCriterion(b.in)
		switch {
		case s == nil:
		case ruleCriterion(req.Currency) == nil:
			errs = append(errs, domain.FieldError(b.field, "an amount band needs a currency: set currency"))
		case cur.IsZero(): // the currency is wrong; said above
		default:
			minor, err := money.ParseMinor(*s, cur)
			switch {
			case err != nil:
				errs = append(errs, domain.FieldError(b.field, "%v", err))
			case minor < 0:
				errs = append(errs, domain.FieldError(b.field, "%q: may not be negative", *s))
			default:
				*b.out = &minor
			}
		}
	}
	if r.MinAmountMinor != nil && r.MaxAmountMinor != nil && *r.MinAmountMinor >= *r.MaxAmountMinor {
		errs = append(errs, domain.FieldError("max_amount", "must be above min_amount (%s): the band includes its minimum and excludes its maximum",
			*req.MinAmount))
	}
	if len(errs) > 0 {
		return r, joinedInvalid(errors.Join(errs...))
	}
	return r, nil
}

// ruleCriterion is nil for an absent or blank criterion.
func ruleCriterion(s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	v := strings.TrimSpace(*s)
	return &v
}

func (s *Server) listRules(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.AssignmentRules(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]ruleView, 0, len(list))
	for _, r := range list {
		out = append(out, toRuleView(r))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) getRule(c *gin.Context) {
	id, err := resourceID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.store.AssignmentRule(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRuleView(r))
}

func (s *Server) createRule(c *gin.Context) {
	var req ruleRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	r, err := validRule(req)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.store.CreateAssignmentRule(c.Request.Context(), r, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toRuleView(out))
}

func (s *Server) updateRule(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req ruleRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	r, err := validRule(req)
	if err != nil {
		s.fail(c, err)
		return
	}
	r.ID = id
	out, err := s.store.UpdateAssignmentRule(c.Request.Context(), r, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRuleView(out))
}

func (s *Server) deleteRule(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.DeleteAssignmentRule(c.Request.Context(), id, actor(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
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

func (s *Server) pinScenario(c *gin.Context) {
	id, ok := s.visibleCustomer(c)
	if !ok {
		return
	}
	var req pinRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	var scenario *int64
	switch raw := bytes.TrimSpace(req.ScenarioID); {
	case len(raw) == 0:
		s.fail(c, domain.FieldError("scenario_id", "required: a scenario id, or null to unpin"))
		return
	case string(raw) == "null":
	default:
		var v int64
		if err := json.Unmarshal(raw, &v); err != nil || v < 1 {
			s.fail(c, domain.FieldError("scenario_id", "%s: want a positive integer id, or null to unpin", raw))
			return
		}
		scenario = &v
	}
	if err := s.store.PinCustomerScenario(c.Request.Context(), id, scenario, actor(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pinView{CustomerID: id, ScenarioID: scenario})
}
