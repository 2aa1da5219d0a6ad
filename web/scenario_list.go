package web

import (
	"encoding/json"
	"net/http"

	"recoup/dunning"
	"recoup/store"
)

// scenarioRow is one scenario of the list.
type scenarioRow struct {
	store.ScenarioVersion
	StepCount int
}

type scenarioListData struct {
	Scenarios []scenarioRow
	Archived  bool // archived ones are shown too
}

// scenarioList lists the scenarios at their current version, archived ones on request (?archived=1).
func (h *Handler) scenarioList(r *request) error {
	archived := r.c.Query("archived") == "1"
	list, err := h.app.Scenarios(r.c.Request.Context(), r.who, archived)
	if err != nil {
		return err
	}
	d := scenarioListData{Archived: archived}
	for _, sc := range list {
		steps, err := decodeSteps(sc)
		if err != nil {
			return err
		}
		d.Scenarios = append(d.Scenarios, scenarioRow{ScenarioVersion: sc, StepCount: len(steps)})
	}
	h.render(r.c, http.StatusOK, "scenario_list", h.newPage(r, "scenario.list.title", "nav.scenarios", d))
	return nil
}

// decodeSteps reads a stored version's steps.
func decodeSteps(sc store.ScenarioVersion) ([]dunning.Step, error) {
	var steps []dunning.Step
	if len(sc.Steps) == 0 {
		return nil, nil
	}
	return steps, json.Unmarshal(sc.Steps, &steps)
}
