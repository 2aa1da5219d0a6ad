// Package web is the staff web app: server-rendered pages in the same binary
// as the JSON API, calling the same use cases (package app). Pages work
// without JavaScript (plain forms, POST-redirect-GET); assets and templates
// are embedded; every response carries a strict Content-Security-Policy.
//
// One file per page or action (account_show.go, account_pause.go); each
// area declares its routes beside its handlers, and routes.go lists the areas.
package web

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recoup/app"
)

//go:embed templates assets messages
var files embed.FS

// Options configure the web app.
type Options struct {
	App    *app.App
	Logger *slog.Logger
	// DevLinks adds links to what only `recoup dev` serves (captured mail).
	DevLinks bool
	// PublicURL is where customers reach Recoup (RECOUP_PUBLIC_URL): the
	// portal's cookies are Secure when it is https.
	PublicURL string
}

// Handler holds what the pages need.
type Handler struct {
	app      *app.App
	log      *slog.Logger
	views    *views
	catalog  *catalog
	devLinks bool
	// The customer portal's templates, rate limits and cookie security.
	portalViews  *portalViews
	portalLimits *limiter
	portalSecure bool
}

// New reads the embedded templates and message catalogue.
func New(o Options) (*Handler, error) {
	cat, err := loadCatalog(files)
	if err != nil {
		return nil, err
	}
	v, err := loadViews(files)
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pv, err := loadPortalViews(files)
	if err != nil {
		return nil, err
	}
	return &Handler{app: o.App, log: log, views: v, catalog: cat, devLinks: o.DevLinks, portalViews: pv, portalLimits: newLimiter(),
		portalSecure: strings.HasPrefix(strings.ToLower(o.PublicURL), "https://")}, nil
}

// Mount adds the web app's routes to r (the API's engine: one port for both).
func (h *Handler) Mount(r *gin.Engine) {
	assets, _ := fs.Sub(files, "assets") // embedded: the directory is there
	static := http.StripPrefix("/assets/", http.FileServer(http.FS(assets)))
	r.GET("/assets/*file", secure(), func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		static.ServeHTTP(c.Writer, c.Request)
	})
	h.mountPortal(r)
	pages := r.Group("", secure())
	for _, rt := range h.routes() {
		pages.Handle(rt.method, rt.path, h.page(rt))
	}
}
