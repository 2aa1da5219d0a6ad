package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"recoup/app"
	"recoup/domain"
)

type templateListData struct {
	Templates []app.Template
	Query     app.TemplateQuery
	Names     []string // every template name, for the filter
	Channels  []domain.Channel
	Languages []string
	Sources   []string
	Errors    fieldErrors
}

// templateList is the effective templates (what reminders use), filtered by
// name, channel, language and source (shipped default or custom).
func (h *Handler) templateList(r *request) error {
	ctx := r.c.Request.Context()
	q := app.TemplateQuery{Name: r.c.Query("name"), Channel: r.c.Query("channel"), Language: r.c.Query("language"), Source: r.c.Query("source")}
	all, err := h.app.Templates(ctx, r.who, app.TemplateQuery{})
	if err != nil {
		return err
	}
	d := templateListData{Query: q, Channels: domain.ReminderChannels, Sources: []string{app.SourceDefault, app.SourceCustom}}
	for _, t := range all {
		if !slices.Contains(d.Names, t.Name) {
			d.Names = append(d.Names, t.Name)
		}
		if !slices.Contains(d.Languages, t.Language) {
			d.Languages = append(d.Languages, t.Language)
		}
	}
	slices.Sort(d.Languages)
	status := http.StatusOK
	d.Templates, err = h.app.Templates(ctx, r.who, q)
	if fe, ok := formError(err); ok {
		d.Errors, status = fe, http.StatusBadRequest
	} else if err != nil {
		return err
	}
	h.render(r.c, status, "template_list", h.newPage(r, "template.list_title", "nav.templates", d))
	return nil
}

// templateNew opens the editor on a template that does not exist yet (the
// editor says so), from the list's small form.
func (h *Handler) templateNew(r *request) error {
	k := app.TemplateKey{Name: strings.TrimSpace(r.c.Query("name")), Channel: r.c.Query("channel"),
		Language: strings.ToLower(strings.TrimSpace(r.c.Query("language")))}
	r.c.Redirect(http.StatusSeeOther, templatePath(k))
	return nil
}

// templatePath is the editor's address of k.
func templatePath(k app.TemplateKey) string {
	return "/templates/" + url.PathEscape(k.Name) + "/" + url.PathEscape(k.Channel) + "/" + url.PathEscape(k.Language)
}
