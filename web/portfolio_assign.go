package web

import (
	"net/http"
	"strings"
)

// portfolioAssign moves the accounts the previewed filter picks to the agent.
func (h *Handler) portfolioAssign(r *request) error {
	f := portfolioForm{Entity: r.c.PostForm("entity"), Country: strings.TrimSpace(r.c.PostForm("country")),
		Category: r.c.PostForm("category"), CurrentAgent: strings.TrimSpace(r.c.PostForm("current_agent")),
		AgentEmail: strings.TrimSpace(r.c.PostForm("agent_email"))}
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
