package web

import (
	"net/http"
	"strings"

	"recoup/app"
	"recoup/risk"
	"recoup/store"
)

type riskProvidersData struct {
	Providers []store.RiskProvider
	Adapters  []string
	Form      app.RiskProviderRequest
	Errors    fieldErrors
}

// riskSecretData is a provider's secret, shown this once: it is the answer
// to the post, not a redirect.
type riskSecretData struct {
	Provider app.CreatedRiskProvider
	Path     string // the webhook's path
}

// riskProviders lists the providers with the form that declares one.
func (h *Handler) riskProviders(r *request) error {
	return h.renderProviders(r, http.StatusOK, riskProvidersData{Form: app.RiskProviderRequest{Adapter: "generic"}})
}

func (h *Handler) renderProviders(r *request, status int, d riskProvidersData) error {
	list, err := h.app.RiskProviders(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	d.Providers, d.Adapters = list, risk.AdapterNames()
	h.render(r.c, status, "risk_providers", h.newPage(r, "risk.providers_title", "nav.risk_providers", d))
	return nil
}

func (h *Handler) showSecret(r *request, p app.CreatedRiskProvider) error {
	h.render(r.c, http.StatusOK, "risk_secret", h.newPage(r, "risk.secret_title", "nav.risk_providers",
		riskSecretData{Provider: p, Path: "/webhooks/risk/" + p.Name}))
	return nil
}

// riskProviderCreate declares a provider and shows its secret once.
func (h *Handler) riskProviderCreate(r *request) error {
	active := true
	req := app.RiskProviderRequest{Name: strings.TrimSpace(r.c.PostForm("name")), Adapter: r.c.PostForm("adapter"), Active: &active}
	p, err := h.app.CreateRiskProvider(r.c.Request.Context(), r.who, req)
	if fe, ok := formError(err); ok {
		return h.renderProviders(r, http.StatusBadRequest, riskProvidersData{Form: req, Errors: fe})
	}
	if err != nil {
		return err
	}
	return h.showSecret(r, p)
}

// riskProviderUpdate changes a provider's adapter or turns it on or off.
func (h *Handler) riskProviderUpdate(r *request) error {
	name := r.c.Param("name")
	active := r.c.PostForm("active") == "true"
	p, err := h.app.UpdateRiskProvider(r.c.Request.Context(), r.who, name, app.RiskProviderRequest{Adapter: r.c.PostForm("adapter"), Active: &active})
	if fe, ok := formError(err); ok {
		return h.renderProviders(r, http.StatusBadRequest, riskProvidersData{Errors: fe})
	}
	if err != nil {
		return err
	}
	key := "risk.provider_off"
	if p.Active {
		key = "risk.provider_on"
	}
	return h.done(r, "/risk/providers", h.t(r, key, p.Name))
}

// riskProviderRotate gives a provider a new secret, shown once.
func (h *Handler) riskProviderRotate(r *request) error {
	p, err := h.app.RotateRiskProviderSecret(r.c.Request.Context(), r.who, r.c.Param("name"))
	if err != nil {
		return err
	}
	return h.showSecret(r, p)
}
