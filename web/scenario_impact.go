package web

import (
	"net/http"

	"recoup/app"
	"recoup/store"
)

// scenarioImpact shows, in the editor, what saving the edited steps would
// change over the next 14 days (app.ScenarioImpact), without saving.
func (h *Handler) scenarioImpact(r *request, id int64, current store.ScenarioVersion, f scenarioForm) error {
	req, fe := h.scenarioRequest(r, f)
	if len(fe.Summary) > 0 {
		return h.scenarioEditor(r, http.StatusBadRequest, current, f, fe)
	}
	impact, err := h.app.ScenarioImpact(r.c.Request.Context(), r.who, id, req)
	if status, fe, ok := scenarioRefusal(err); ok {
		return h.scenarioEditor(r, status, current, f, fe)
	}
	if err != nil {
		return err
	}
	r.c.Set(impactKey, &impact)
	return h.scenarioEditor(r, http.StatusOK, current, f, fieldErrors{})
}

// impactKey carries the computed impact to the editor's rendering.
const impactKey = "scenario-impact"

// impactOf is the impact computed for this request, if any.
func impactOf(r *request) *app.ScenarioImpact {
	v, _ := r.c.Get(impactKey)
	p, _ := v.(*app.ScenarioImpact)
	return p
}
