package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/money"
	"recoup/store"
)

func (s *Server) holdInvoice(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.HoldRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	h, err := s.app.HoldInvoice(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

// releaseInvoice takes the reason from the query (?reason=, DELETE bodies
// are often dropped by clients) or from a JSON body.
func (s *Server) releaseInvoice(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.ReleaseRequest
	if err := releaseReason(c, &req); err != nil {
		return err
	}
	h, err := s.app.ReleaseInvoice(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

func releaseReason(c *gin.Context, req *app.ReleaseRequest) error {
	if r, ok := c.GetQuery("reason"); ok {
		if err := queryParams(c, "reason"); err != nil {
			return err
		}
		req.Reason = r
		return nil
	}
	return decodeJSON(c, req)
}

func (s *Server) releaseCreditHold(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.ReleaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.app.ReleaseCreditHold(c.Request.Context(), principal(c), id, req); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"customer_id": id, "on_hold": false})
	return nil
}

// placeCreditHold puts the account on credit hold by a person, with a reason.
func (s *Server) placeCreditHold(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.CreditHoldRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx, who := c.Request.Context(), principal(c)
	cs, err := s.app.PlaceCreditHold(ctx, who, id, req)
	if err != nil {
		return err
	}
	d, err := s.app.Customer(ctx, who, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toCredit(cs, d.Currency))
	return nil
}

// creditView is the account's credit status (README "Credit limits and holds").
type creditView struct {
	OnHold           bool       `json:"on_hold"`
	HoldSince        *time.Time `json:"hold_since"`
	HoldReason       string     `json:"hold_reason"`
	HoldBy           string     `json:"hold_by"`
	LegalStatus      string     `json:"legal_status"`
	LegalStatusSince *string    `json:"legal_status_since"` // a date
	RiskLimit        *moneyView `json:"risk_limit"`         // the provider's recommended limit
}

func toCredit(cs store.CreditStatus, cur money.Currency) creditView {
	v := creditView{OnHold: cs.OnHold, HoldSince: utcPtr(cs.HoldSince), HoldReason: cs.HoldReason, HoldBy: cs.HoldBy,
		LegalStatus: string(cs.LegalStatus)}
	if cs.LegalStatusSince != nil {
		d := cs.LegalStatusSince.Format(time.DateOnly)
		v.LegalStatusSince = &d
	}
	if cs.RiskLimitMinor != nil {
		l := toMoney(money.Money{Minor: *cs.RiskLimitMinor, Currency: cur})
		v.RiskLimit = &l
	}
	return v
}

// holidayList is the body of GET and PUT /entities/{code}/holidays.
type holidayList struct {
	Holidays []store.Holiday `json:"holidays"`
}

func (s *Server) getEntityHolidays(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.EntityHolidays(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, holidayList{Holidays: list})
	return nil
}

func (s *Server) putEntityHolidays(c *gin.Context) error {
	var req holidayList
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	list, err := s.app.ReplaceEntityHolidays(c.Request.Context(), principal(c), c.Param("code"), req.Holidays)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, holidayList{Holidays: list})
	return nil
}

func (s *Server) scenarioImpact(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.ScenarioRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.ScenarioImpact(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}
