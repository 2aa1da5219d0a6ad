package web

import (
	"net/http"

	"recoup/app"
)

type importShowData struct {
	app.ImportReport
	Shown int // rejected rows listed here; the CSV has them all
}

// importShow is an import's report: its counts, the accounts it touched and
// its rejected rows (the first ones; all of them in the CSV).
func (h *Handler) importShow(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := h.app.ImportReport(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	d := importShowData{ImportReport: rep, Shown: len(rep.Rejections)}
	h.render(r.c, http.StatusOK, "import_show", h.newPage(r, "import.report_title", "nav.imports", d))
	return nil
}
