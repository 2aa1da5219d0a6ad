package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// views are the page templates, each parsed with the layout and the partials.
type views struct {
	pages map[string]*template.Template
}

func loadViews(fsys fs.FS) (*views, error) {
	base := template.New("layout").Funcs(template.FuncMap{
		// add, dict and list help tables, partials and paging; formatting and
		// words are methods of Page.
		"add": func(a, b int) int { return a + b },
		// dict passes several values to a partial; list makes a list in a template.
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
		"list": func(v ...string) []string { return v },
	})
	shared, err := fs.Glob(fsys, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	base, err = base.ParseFS(fsys, append([]string{"templates/layout.html"}, shared...)...)
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(fsys, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, p := range pages {
		t, err := template.Must(base.Clone()).ParseFS(fsys, p)
		if err != nil {
			return nil, err
		}
		v.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return v, nil
}

// render writes the page named name (templates/pages/<name>.html) with status.
// It renders into a buffer first, so a template error is a clean 500, never a
// half-written page.
func (h *Handler) render(c *gin.Context, status int, name string, p *Page) {
	h.execute(c, status, name, "layout", p)
}

// renderPart writes only the template part of page name (a fragment a page's
// script fetches to replace a part of itself), without the layout.
func (h *Handler) renderPart(c *gin.Context, name, part string, p *Page) {
	h.execute(c, http.StatusOK, name, part, p)
}

func (h *Handler) execute(c *gin.Context, status int, name, tmpl string, p *Page) {
	t, ok := h.views.pages[name]
	if !ok {
		h.log.Error("no page template", "name", name)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, p); err != nil {
		h.log.Error("render page", "name", name, "template", tmpl, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
