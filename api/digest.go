package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) dailyDigest(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	d, err := s.app.DailyDigest(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}
