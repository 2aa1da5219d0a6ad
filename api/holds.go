package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
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
