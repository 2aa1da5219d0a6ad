package web

// caseDiscussion is the case page's discussion alone (an HTML fragment), which
// the page's script fetches when the case changes, to show new comments
// without reloading.
func (h *Handler) caseDiscussion(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, err := h.app.CaseDiscussion(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	h.renderPart(r.c, "case_show", "case_discussion", h.newPage(r, "case.title", "nav.cases", caseData{CaseDetail: k, Files: groupFiles(k.Attachments)}))
	return nil
}
