package devenv

import (
	"html/template"
	"net/http"
)

var landingPage = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Recoup dev</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;line-height:1.5}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body>
<h1>Recoup — development environment</h1>
<ul>
<li><a href="/api/v1/customers">Customers</a> · <a href="/api/v1/invoices?overdue=true">Overdue invoices</a> (JSON API)</li>
<li><a href="/api/v1/scenarios">Dunning scenarios</a> · <a href="/api/v1/templates?language=en">Templates</a> · <a href="/api/v1/tasks?status=open">Open tasks</a></li>
<li>One account's dunning: <code>/api/v1/customers/{id}/dunning</code> (live status) and <code>/api/v1/customers/{id}/dunning/preview?days=90</code> (the calendar ahead)</li>
<li><a href="/api/v1/openapi.yaml">OpenAPI document</a></li>
<li><a href="/dev/mail">Captured mail, texts and calls</a>: what customers would receive</li>
{{if .TemporalUI}}<li><a href="{{.TemporalUI}}">Temporal Web UI</a>: every workflow's history</li>{{end}}
<li><a href="/api/v1/system/check">System check</a>: runs a workflow through Temporal and the worker</li>
</ul>
<p>Import your own data with <code>go run ./cmd/recoup import --kind invoices FILE.csv</code> (see the README for the columns).</p>
</body></html>`))

func landing(info Info) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = landingPage.Execute(w, info)
	})
}
