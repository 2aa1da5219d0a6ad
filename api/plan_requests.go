package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// acceptPlanRequest accepts the payment plan a customer proposed in the
// portal: the plan is recorded (as POST /customers/{id}/payment-plans does)
// and the case decided; a refusal is a decision (POST /cases/{id}/decide).
func (s *Server) acceptPlanRequest(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	out, err := s.app.AcceptPlanRequest(ctx, principal(c), id, req.Note)
	if err != nil {
		return err
	}
	k, err := s.app.Case(ctx, principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"plan": toPlan(out.Plan.Plan), "case": toCase(k.Case), "account_woken": out.Plan.Woken.Reached()})
	return nil
}
