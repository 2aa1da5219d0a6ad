package web

import "net/http"

// portfolioAssign moves the accounts the previewed filter picks to the agent.
func (h *Handler) portfolioAssign(r *request) error {
	f := portfolioFormOf(r.c.Request.PostForm)
	out, err := h.app.AssignPortfolio(r.c.Request.Context(), r.who, f.request(false))
	if fe, ok := formError(err); ok {
		return h.renderPortfolio(r, http.StatusBadRequest, portfolioData{Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	msg := h.t(r, "portfolio.moved", out.Moved, f.AgentEmail)
	if n := len(out.Failed); n > 0 {
		msg += " " + h.t(r, "portfolio.failed", n)
	}
	return h.done(r, "/portfolios", msg)
}
