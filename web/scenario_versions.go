package web

import (
	"net/http"
	"slices"

	"recoup/store"
)

type scenarioVersionsData struct {
	Scenario store.ScenarioVersion   // the current version
	Versions []store.ScenarioVersion // newest first
}

// scenarioVersions lists a scenario's versions: when, by whom, with a link to the diff with the one before.
func (h *Handler) scenarioVersions(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := h.app.ScenarioVersions(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	slices.Reverse(list)
	d := scenarioVersionsData{Scenario: list[0], Versions: list}
	h.render(r.c, http.StatusOK, "scenario_versions", h.newPage(r, "scenario.versions.title", "nav.scenarios", d))
	return nil
}
