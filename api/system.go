package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// systemCheck answers only when the API, Temporal, a worker and the database all work.
func (s *Server) systemCheck(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	start := time.Now()
	run, err := s.app.SystemCheck(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "workflow_id": run.WorkflowID, "run_id": run.RunID,
		"took_ms": time.Since(start).Milliseconds(), "result": run.Result})
	return nil
}
