package web

import "recoup/auth"

// importRoutes are the ERP file imports: upload, past imports, one import's
// report and its rejected rows as CSV.
var importRoutes = []route{
	{method: "GET", path: "/imports", action: auth.ImportsCreate, handle: (*Handler).importList},
	{method: "POST", path: "/imports", action: auth.ImportsCreate, maxBody: maxUploadBody, handle: (*Handler).importCreate},
	{method: "GET", path: "/imports/:id", action: auth.ImportsCreate, handle: (*Handler).importShow},
	{method: "GET", path: "/imports/:id/rejections.csv", action: auth.ImportsCreate, handle: (*Handler).importRejectionsCSV},
}
