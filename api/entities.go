package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
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

func (s *Server) listEntities(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Entities(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]entityView, 0, len(list))
	for _, e := range list {
		out = append(out, entityView{Code: e.Code, Name: e.Name, Country: e.Country, Currency: e.Currency, Timezone: e.Timezone,
			Language: e.Language, ContactWindow: e.Window})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

func (s *Server) getContactWindow(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	w, err := s.app.ContactWindow(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, w)
	return nil
}

func (s *Server) putContactWindow(c *gin.Context) error {
	var req app.WindowRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.app.SetContactWindow(c.Request.Context(), principal(c), c.Param("code"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, w)
	return nil
}
