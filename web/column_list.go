package web

import (
	"net/http"

	"recoup/app"
	"recoup/store"
)

// The columns page: the user-defined columns of the accounts list, the form
// to add one, and (at /columns/:id) the same form to change one. The
// formula is checked by app.SaveColumn; a refusal shows its message, with
// the line and column of the fault, next to the field.

type columnData struct {
	Columns  []store.Column
	Entities []store.Entity
	Figures  []string // the names a formula may use
	Editing  int64    // the column the form changes; 0: a new one
	Form     app.ColumnInput
	Errors   fieldErrors
}

func (h *Handler) columnList(r *request) error {
	return h.renderColumns(r, http.StatusOK, 0, app.ColumnInput{}, fieldErrors{})
}

// columnEdit is the page with the form filled with column :id.
func (h *Handler) columnEdit(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, err := h.app.Column(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	return h.renderColumns(r, http.StatusOK, id, app.ColumnInput{Entity: k.EntityCode, Name: k.Name, Label: k.Label, Formula: k.Formula}, fieldErrors{})
}

func (h *Handler) renderColumns(r *request, status int, editing int64, form app.ColumnInput, fe fieldErrors) error {
	ctx := r.c.Request.Context()
	cols, err := h.app.Columns(ctx, r.who)
	if err != nil {
		return err
	}
	entities, err := h.app.Entities(ctx, r.who)
	if err != nil {
		return err
	}
	d := columnData{Columns: cols, Entities: entities, Figures: app.FormulaFigures, Editing: editing, Form: form, Errors: fe}
	h.render(r.c, status, "columns", h.newPage(r, "column.title", "nav.accounts", d))
	return nil
}

func columnForm(r *request) app.ColumnInput {
	return app.ColumnInput{Entity: r.c.PostForm("entity"), Name: r.c.PostForm("name"), Label: r.c.PostForm("label"),
		Formula: r.c.PostForm("formula")}
}

func (h *Handler) columnAdd(r *request) error {
	return h.columnWrite(r, 0)
}

func (h *Handler) columnSave(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.columnWrite(r, id)
}

// columnWrite saves the form as column id (0: a new one); refused, the page
// again with the messages.
func (h *Handler) columnWrite(r *request, id int64) error {
	in := columnForm(r)
	k, err := h.app.SaveColumn(r.c.Request.Context(), r.who, id, in)
	if fe, ok := formError(err); ok {
		return h.renderColumns(r, http.StatusBadRequest, id, in, fe)
	}
	if err != nil {
		return err
	}
	return h.done(r, "/columns", h.t(r, "column.saved", k.Label, k.Type))
}

func (h *Handler) columnDelete(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.DeleteColumn(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, "/columns", h.t(r, "column.deleted"))
}
