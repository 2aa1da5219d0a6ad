package web

import (
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/importer"
)

// importCreate loads an uploaded ERP file through the same use case as the
// API, then shows its report with the wake-up's outcome as the confirmation.
// The format follows the file's extension (.csv or .json).
func (h *Handler) importCreate(r *request) error {
	kind := r.c.PostForm("kind")
	bad := func(field, msg string) error {
		d := importListData{Kind: kind, Errors: fieldErrors{ByField: map[string]string{field: msg}, Summary: []string{msg}}}
		return h.showImports(r, http.StatusBadRequest, d)
	}
	fh, err := r.c.FormFile("file")
	if err != nil {
		return bad("file", h.t(r, "import.file_required"))
	}
	name := filepath.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
	var format importer.Format
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		format = importer.CSV
	case ".json":
		format = importer.JSON
	default:
		return bad("file", h.t(r, "import.file_type", name))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := h.app.Import(r.c.Request.Context(), r.who, app.ImportRequest{Kind: kind, Format: format, Name: "web:" + name, Body: f})
	var fileErr *importer.FileError
	switch {
	case errors.As(err, &fileErr):
		return bad("file", h.t(r, "import.file_unusable", fileErr.Error()))
	case err != nil:
		if fe, ok := formError(err); ok {
			return h.showImports(r, http.StatusBadRequest, importListData{Kind: kind, Errors: fe})
		}
		return err
	}
	msg := h.t(r, "import.done", res.ImportID, res.Inserted, res.Updated, res.Unchanged, res.Rejected)
	switch w := res.Woken; {
	case w.Error != "":
		msg += " " + h.t(r, "import.wake_failed")
	case w.Accounts > 0:
		msg += " " + h.t(r, "import.woken", w.Accounts)
	}
	return h.done(r, "/imports/"+strconv.FormatInt(res.ImportID, 10), msg)
}
