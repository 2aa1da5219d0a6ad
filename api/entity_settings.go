package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
)

func (s *Server) getEntitySettings(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	out, err := s.app.EntitySettings(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) putEntitySettings(c *gin.Context) error {
	var req app.EntitySettingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.SetEntitySettings(c.Request.Context(), principal(c), c.Param("code"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}
