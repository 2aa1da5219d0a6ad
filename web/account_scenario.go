package web

import (
	"net/http"
	"strconv"
)

// accountScenario pins the account to a scenario, or unpins it ("none").
func (h *Handler) accountScenario(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var pin *int64
	if v := r.c.PostForm("scenario_id"); v != "" && v != "none" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			form := accountForm{Name: "scenario", Values: r.c.Request.PostForm}
			form.Errors.add("scenario_id", h.t(r, "account.scenario_invalid"))
			return h.renderAccount(r, http.StatusBadRequest, form)
		}
		pin = &n
	}
	err = h.app.PinScenario(r.c.Request.Context(), r.who, id, pin)
	if err != nil {
		return h.accountRefused(r, accountForm{Name: "scenario", Values: r.c.Request.PostForm}, err)
	}
	if pin == nil {
		return h.done(r, accountPath(id), h.t(r, "account.unpinned"))
	}
	return h.done(r, accountPath(id), h.t(r, "account.pinned"))
}
