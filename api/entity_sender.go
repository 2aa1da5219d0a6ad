package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
)

func (s *Server) getEntitySender(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	out, err := s.app.EntitySender(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) putEntitySender(c *gin.Context) error {
	var req app.SenderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.SetEntitySender(c.Request.Context(), principal(c), c.Param("code"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}
