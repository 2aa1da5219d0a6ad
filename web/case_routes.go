package web

import "recoup/auth"

// caseRoutes are the cases board, one case's page and what may be done to it
// (the app's case use cases check the perimeter and the rules).
var caseRoutes = []route{
	{method: "GET", path: "/cases", action: auth.CasesRead, handle: (*Handler).caseList},
	{method: "GET", path: "/cases/:id", action: auth.CasesRead, handle: (*Handler).caseShow},
	{method: "GET", path: "/cases/:id/discussion", action: auth.CasesRead, handle: (*Handler).caseDiscussion},
	{method: "POST", path: "/cases/:id/comments", action: auth.CasesComment, attachments: true, handle: (*Handler).caseComment},
	{method: "POST", path: "/cases/:id/route", action: auth.CasesDecide, handle: (*Handler).caseRoute},
	{method: "POST", path: "/cases/:id/status", action: auth.CasesDecide, handle: (*Handler).caseStatus},
	{method: "POST", path: "/cases/:id/decide", action: auth.CasesDecide, handle: (*Handler).caseDecide},
	{method: "POST", path: "/cases/:id/accept-plan", action: auth.CasesDecide, handle: (*Handler).casePlanAccept},
	{method: "POST", path: "/cases/:id/reopen", action: auth.CasesDecide, handle: (*Handler).caseReopen},
	{method: "POST", path: "/accounts/:id/cases", action: auth.CasesOpen, handle: (*Handler).caseOpen},
}
