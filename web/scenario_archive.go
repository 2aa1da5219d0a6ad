package web

// scenarioArchive retires a scenario (not the default one, nor one a rule or a customer uses).
func (h *Handler) scenarioArchive(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	sc, err := h.app.Scenario(ctx, r.who, id, 0)
	if err != nil {
		return err
	}
	if err := h.app.ArchiveScenario(ctx, r.who, id); err != nil {
		return err
	}
	return h.done(r, "/scenarios", h.t(r, "scenario.archived_done", sc.Name))
}
