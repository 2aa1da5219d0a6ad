package api

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/store"
)

type entityView struct {
	Code          string              `json:"code"`
	Name          string              `json:"name"`
	Country       string              `json:"country"`
	Currency      string              `json:"currency"`
	Timezone      string              `json:"timezone"`
	Language      string              `json:"language"`
	ContactWindow store.ContactWindow `json:"contact_window"`
}

// windowRequest sets an entity's contact window: start and end are local
// times "HH:MM", start before end unless any_time.
type windowRequest struct {
	Start   *string `json:"start"`
	End     *string `json:"end"`
	AnyTime bool    `json:"any_time"`
}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func validWindow(req windowRequest) (store.ContactWindow, error) {
	var errs []error
	for _, f := range []struct {
		name string
		v    *string
	}{{"start", req.Start}, {"end", req.End}} {
		switch {
		case f.v == nil:
			errs = append(errs, domain.FieldError(f.name, "required: a local time such as 09:00"))
		case !clockRE.MatchString(*f.v):
			errs = append(errs, domain.FieldError(f.name, "%q: want a local time HH:MM from 00:00 to 23:59", *f.v))
		}
	}
	if len(errs) > 0 {
		return store.ContactWindow{}, joinedInvalid(errors.Join(errs...))
	}
	w := store.ContactWindow{Start: *req.Start, End: *req.End, AnyTime: req.AnyTime}
	if !w.AnyTime && w.Start >= w.End { // HH:MM compare as text
		return w, domain.FieldError("end", "%s: must be after start (%s), unless any_time", w.End, w.Start)
	}
	return w, nil
}

func (s *Server) listEntities(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.Entities(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]entityView, 0, len(list))
	for _, e := range list {
		out = append(out, entityView{Code: e.Code, Name: e.Name, Country: e.Country, Currency: e.Currency, Timezone: e.Timezone,
			Language: e.Language, ContactWindow: e.Window})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) getContactWindow(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.store.EntityContactWindow(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) putContactWindow(c *gin.Context) {
	var req windowRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	w, err := validWindow(req)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.store.SetEntityContactWindow(c.Request.Context(), c.Param("code"), w, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
