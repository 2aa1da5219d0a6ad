package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"recoup/history"
	"recoup/store"
)

// importRejectionsCSV downloads every rejected row of an import, streamed
// from the database. Reasons quote what the file held, so cells a spreadsheet
// would run as formulas are defused as the timeline export does.
func (h *Handler) importRejectionsCSV(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	var cw *csv.Writer
	start := func() { // at the first row, or at the end: a refusal before any row is still an error page
		w := r.c.Writer
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-rejections.csv"`, id))
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		cw = csv.NewWriter(w)
		_ = cw.Write([]string{"line", "external_id", "field", "reason"})
	}
	err = h.app.ImportRejections(ctx, r.who, id, func(rej store.ImportRejection) error {
		if cw == nil {
			start()
		}
		return cw.Write([]string{strconv.FormatInt(rej.Line, 10), history.SafeCell(rej.ExternalID),
			history.SafeCell(rej.Field), history.SafeCell(rej.Reason)})
	})
	if cw == nil {
		if err != nil {
			return err
		}
		start()
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil { // the response has begun: too late for an error page
		h.log.ErrorContext(ctx, "import rejections export", "import", id, "err", err)
	}
	return nil
}
