package web

import "recoup/auth"

// reportRoutes are the weekly reports: the list with the form to add one,
// one report's form, delete, and send now (app's report use cases).
var reportRoutes = []route{
	{method: "GET", path: "/reports", action: auth.ReportsManage, handle: (*Handler).reportList},
	{method: "POST", path: "/reports", action: auth.ReportsManage, handle: (*Handler).reportCreate},
	{method: "GET", path: "/reports/:id", action: auth.ReportsManage, handle: (*Handler).reportEdit},
	{method: "POST", path: "/reports/:id", action: auth.ReportsManage, handle: (*Handler).reportUpdate},
	{method: "POST", path: "/reports/:id/delete", action: auth.ReportsManage, handle: (*Handler).reportDelete},
	{method: "POST", path: "/reports/:id/send", action: auth.ReportsManage, handle: (*Handler).reportSend},
}
