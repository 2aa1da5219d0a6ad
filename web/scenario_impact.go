package web

import (
	"errors"
	"net/http"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

// scenarioImpact shows, in the editor, what saving the edited steps would
// change over the next 14 days (app.ScenarioImpact), without saving.
func (h *Handler) scenarioImpact(r *request, id int64, current store.ScenarioVersion, f scenarioForm) error {
	req, bad := f.request()
	if len(bad) > 0 {
		fe := fieldErrors{ByField: map[string]string{}}
		for _, b := range bad {
			msg := h.t(r, "scenario.error.number", b.Field, b.Value)
			fe.ByField[b.Field] = msg
			fe.Summary = append(fe.Summary, msg)
		}
		return h.scenarioEditor(r, http.StatusBadRequest, current, f, fe)
	}
	impact, err := h.app.ScenarioImpact(r.c.Request.Context(), r.who, id, req)
	if fe, ok := formError(err); ok {
		return h.scenarioEditor(r, http.StatusBadRequest, current, f, fe)
	}
	if de := (*domain.Error)(nil); errors.As(err, &de) && de.Code == domain.CodeConflict {
		return h.scenarioEditor(r, http.StatusConflict, current, f, fieldErrors{Summary: []string{de.Message}})
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
