package web

import (
	"net/http"
	"net/url"
	"strings"

	"recoup/app"
	"recoup/store"
)

// portfolioForm is the bulk assignment form: which accounts (a filter), to whom.
type portfolioForm struct {
	Entity, Country, Category, CurrentAgent, AgentEmail string
}

// portfolioFormOf reads the form: the preview's query or the assignment's post.
func portfolioFormOf(v url.Values) portfolioForm {
	return portfolioForm{Entity: v.Get("entity"), Country: strings.TrimSpace(v.Get("country")), Category: v.Get("category"),
		CurrentAgent: strings.TrimSpace(v.Get("current_agent")), AgentEmail: strings.TrimSpace(v.Get("agent_email"))}
}

func (f portfolioForm) request(dryRun bool) app.AssignRequest {
	return app.AssignRequest{Entity: f.Entity, Country: f.Country, Category: f.Category, CurrentAgent: f.CurrentAgent,
		AgentEmail: f.AgentEmail, DryRun: dryRun}
}

func (f portfolioForm) empty() bool { return f == portfolioForm{} }

type portfolioData struct {
	Form     portfolioForm
	Errors   fieldErrors
	Entities []store.Entity
	Preview  *app.Assigned // the dry run's answer, once the form is filled
}

// portfolioShow is the bulk assignment form and, once filled (a GET, so the
// preview is a shareable URL), the dry run: how many accounts and which would move.
func (h *Handler) portfolioShow(r *request) error {
	f := portfolioFormOf(r.c.Request.URL.Query())
	if f.empty() {
		return h.renderPortfolio(r, http.StatusOK, portfolioData{Form: f})
	}
	preview, err := h.app.AssignPortfolio(r.c.Request.Context(), r.who, f.request(true))
	if fe, ok := formError(err); ok {
		return h.renderPortfolio(r, http.StatusBadRequest, portfolioData{Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	return h.renderPortfolio(r, http.StatusOK, portfolioData{Form: f, Preview: &preview})
}

func (h *Handler) renderPortfolio(r *request, status int, d portfolioData) error {
	entities, err := h.app.Entities(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	d.Entities = entities
	h.render(r.c, status, "portfolios", h.newPage(r, "portfolio.title", "nav.portfolios", d))
	return nil
}
