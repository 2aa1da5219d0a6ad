package web

import "recoup/auth"

// ruleRoutes are the assignment rule pages: the ordered list, the form, delete and move.
var ruleRoutes = []route{
	{method: "GET", path: "/rules", action: auth.ScenariosRead, handle: (*Handler).ruleList},
	{method: "GET", path: "/rules/new", action: auth.ScenariosWrite, handle: (*Handler).ruleNew},
	{method: "POST", path: "/rules/new", action: auth.ScenariosWrite, handle: (*Handler).ruleCreate},
	{method: "GET", path: "/rules/:id", action: auth.ScenariosWrite, handle: (*Handler).ruleEdit},
	{method: "POST", path: "/rules/:id", action: auth.ScenariosWrite, handle: (*Handler).ruleUpdate},
	{method: "POST", path: "/rules/:id/delete", action: auth.ScenariosWrite, handle: (*Handler).ruleDelete},
	{method: "POST", path: "/rules/:id/move", action: auth.ScenariosWrite, handle: (*Handler).ruleMove},
}
