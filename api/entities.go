package api

import (
	"context"
	"net/http"

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

// The settings of one entity (/entities/:code/...): each a GET that reads
// it and a PUT that validates and saves it, answering what was saved.

func (s *Server) getContactWindow(c *gin.Context) error {
	return getEntitySetting(c, s.app.ContactWindow)
}
func (s *Server) putContactWindow(c *gin.Context) error {
	return putEntitySetting(c, s.app.SetContactWindow)
}
func (s *Server) getEntitySender(c *gin.Context) error {
	return getEntitySetting(c, s.app.EntitySender)
}
func (s *Server) putEntitySender(c *gin.Context) error {
	return putEntitySetting(c, s.app.SetEntitySender)
}
func (s *Server) getEntitySettings(c *gin.Context) error {
	return getEntitySetting(c, s.app.EntitySettings)
}
func (s *Server) putEntitySettings(c *gin.Context) error {
	return putEntitySetting(c, s.app.SetEntitySettings)
}

func getEntitySetting[T any](c *gin.Context, get func(context.Context, domain.Principal, string) (T, error)) error {
	if err := queryParams(c); err != nil {
		return err
	}
	out, err := get(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func putEntitySetting[R, T any](c *gin.Context, set func(context.Context, domain.Principal, string, R) (T, error)) error {
	var req R
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := set(c.Request.Context(), principal(c), c.Param("code"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}
