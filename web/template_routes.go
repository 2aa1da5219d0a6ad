package web

import "recoup/auth"

// templateRoutes are the message templates: the list, the editor with its
// preview (readers may preview; saving and reverting need templates.write).
var templateRoutes = []route{
	{method: "GET", path: "/templates", action: auth.TemplatesRead, handle: (*Handler).templateList},
	{method: "GET", path: "/templates/new", action: auth.TemplatesWrite, handle: (*Handler).templateNew},
	{method: "GET", path: "/templates/:name/:channel/:language", action: auth.TemplatesRead, handle: (*Handler).templateEdit},
	{method: "POST", path: "/templates/:name/:channel/:language", action: auth.TemplatesRead, handle: (*Handler).templateSave},
	{method: "POST", path: "/templates/:name/:channel/:language/revert", action: auth.TemplatesWrite, handle: (*Handler).templateRevert},
}
