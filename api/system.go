package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"recoup/domain"
	"recoup/workflows"
)

// systemCheck runs the SystemCheck workflow and waits for it: it answers only
// when the API, Temporal, a worker and the database all work.
func (s *Server) systemCheck(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	if s.temporal == nil {
		s.fail(c, errNoTemporal)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 15*time.Second)
	defer cancel()
	start := time.Now()
	run, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.SystemCheckWorkflowID(newID()), // never the client's header: IDs are not the caller's to choose
		TaskQueue: workflows.TaskQueue,
	}, workflows.SystemCheck)
	var res workflows.SystemCheckResult
	if err == nil {
		err = run.Get(ctx, &res)
	}
	if err != nil {
		s.fail(c, domain.Errorf(domain.CodeUnavailable, "system check failed: %v", err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "workflow_id": run.GetID(), "run_id": run.GetRunID(),
		"took_ms": time.Since(start).Milliseconds(), "result": res})
}
