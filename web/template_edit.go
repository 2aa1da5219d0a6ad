package web

import (
	"errors"
	"net/http"
	"strings"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/templates"
)

type templateEditData struct {
	Key      app.TemplateKey
	Path     string
	Current  app.Template // what reminders use now (zero when the template is new)
	Exists   bool
	Default  bool // a shipped version exists: reverting brings it back
	Email    bool // subject and HTML too
	Form     app.TemplateRequest
	Customer string // the external id to preview with; "" picks one
	Preview  *app.TemplatePreview
	Errors   fieldErrors
}

func templateKey(r *request) app.TemplateKey {
	return app.TemplateKey{Name: r.c.Param("name"), Channel: r.c.Param("channel"), Language: r.c.Param("language")}
}

// templateEdit shows a template's editor with a preview of what it says now.
// A template that does not exist opens empty for those who may write it.
func (h *Handler) templateEdit(r *request) error {
	ctx := r.c.Request.Context()
	k := templateKey(r)
	d := templateEditData{Key: k, Path: templatePath(k), Email: k.Channel == string(domain.ChannelEmail), Customer: r.c.Query("customer")}
	t, err := h.app.Template(ctx, r.who, k)
	switch {
	case err == nil:
		d.Current, d.Exists = t, true
		d.Form = app.TemplateRequest{Subject: t.Subject, Text: t.Text, HTML: t.HTML}
	case domain.ErrorCode(err) == domain.CodeNotFound && auth.Allows(r.who, auth.TemplatesWrite):
	default:
		return err
	}
	d.Default = hasDefault(k)
	status := http.StatusOK
	if d.Exists {
		p, err := h.app.PreviewTemplate(ctx, r.who, k, d.Form, d.Customer)
		if fe, ok := templateErrors(err); ok {
			d.Errors, status = fe, http.StatusBadRequest
		} else if err != nil {
			return err
		} else {
			d.Preview = &p
		}
	}
	allowPreviewStyles(r)
	h.render(r.c, status, "template_edit", h.newPage(r, "template.edit_title", "nav.templates", d))
	return nil
}

// templateSave previews what was typed (do=preview) or saves it; either way a
// broken template comes back with its error beside the part at fault.
func (h *Handler) templateSave(r *request) error {
	ctx := r.c.Request.Context()
	k := templateKey(r)
	d := templateEditData{Key: k, Path: templatePath(k), Email: k.Channel == string(domain.ChannelEmail),
		Customer: strings.TrimSpace(r.c.PostForm("customer")), Default: hasDefault(k),
		Form: app.TemplateRequest{Subject: r.c.PostForm("subject"), Text: r.c.PostForm("text"), HTML: r.c.PostForm("html")}}
	if !d.Email {
		d.Form.Subject, d.Form.HTML = "", ""
	}
	if t, err := h.app.Template(ctx, r.who, k); err == nil {
		d.Current, d.Exists = t, true
	} else if domain.ErrorCode(err) != domain.CodeNotFound {
		return err
	}
	var err error
	if r.c.PostForm("do") == "save" {
		if _, err = h.app.PutTemplate(ctx, r.who, k, d.Form); err == nil {
			return h.done(r, d.Path, h.t(r, "template.saved", k.Name, k.Channel, k.Language))
		}
	} else {
		var p app.TemplatePreview
		if p, err = h.app.PreviewTemplate(ctx, r.who, k, d.Form, d.Customer); err == nil {
			d.Preview = &p
		}
	}
	status := http.StatusOK
	if fe, ok := templateErrors(err); ok {
		d.Errors, status = fe, http.StatusBadRequest
	} else if err != nil {
		return err
	}
	allowPreviewStyles(r)
	h.render(r.c, status, "template_edit", h.newPage(r, "template.edit_title", "nav.templates", d))
	return nil
}

// hasDefault says whether a shipped version of k exists.
func hasDefault(k app.TemplateKey) bool {
	for _, t := range templates.Defaults() {
		if t.Name == k.Name && string(t.Channel) == k.Channel && t.Language == k.Language {
			return true
		}
	}
	return false
}

// templateErrors files a template's error under the part at fault (subject,
// text, html; or customer, name, channel, language); its message names the line.
func templateErrors(err error) (fieldErrors, bool) {
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid {
		return fieldErrors{}, false
	}
	field := de.Field
	if field == "" {
		field, _, _ = strings.Cut(de.Message, ": ")
	}
	return fieldErrors{ByField: map[string]string{field: de.Message}, Summary: []string{de.Message}}, true
}
