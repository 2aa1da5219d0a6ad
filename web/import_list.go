package web

import (
	"net/http"
	"slices"

	"recoup/app"
	"recoup/importer"
	"recoup/store"
)

type importListData struct {
	Imports []store.ImportRun
	Total   int64
	Kinds   []importer.Kind
	Kind    string // the upload form's kind
	Filter  string // the list's kind filter
	Errors  fieldErrors
	Pages   int
	Current int
}

const importRows = 30

// importList is the upload form and the past imports, newest first.
func (h *Handler) importList(r *request) error {
	return h.showImports(r, http.StatusOK, importListData{Kind: r.c.Query("upload")})
}

func (h *Handler) showImports(r *request, status int, d importListData) error {
	d.Kinds, d.Filter = append(slices.Clone(importer.Kinds), importer.Feeds...), r.c.Query("kind")
	page := queryPage(r, importRows)
	var err error
	d.Imports, d.Total, err = h.app.Imports(r.c.Request.Context(), r.who, app.ImportQuery{Kind: d.Filter, Page: page})
	if fe, ok := formError(err); ok {
		d.Errors, status = fe, http.StatusBadRequest
	} else if err != nil {
		return err
	}
	d.Current, d.Pages = page.Offset/importRows+1, int((d.Total+importRows-1)/importRows)
	h.render(r.c, status, "import_list", h.newPage(r, "import.title", "nav.imports", d))
	return nil
}
