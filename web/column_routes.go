package web

import "recoup/auth"

// columnRoutes are the user-defined columns of the accounts list: list,
// add, change, delete (credit managers and admins).
var columnRoutes = []route{
	{method: "GET", path: "/columns", action: auth.ColumnsManage, handle: (*Handler).columnList},
	{method: "POST", path: "/columns", action: auth.ColumnsManage, handle: (*Handler).columnAdd},
	{method: "GET", path: "/columns/:id", action: auth.ColumnsManage, handle: (*Handler).columnEdit},
	{method: "POST", path: "/columns/:id", action: auth.ColumnsManage, handle: (*Handler).columnSave},
	{method: "POST", path: "/columns/:id/delete", action: auth.ColumnsManage, handle: (*Handler).columnDelete},
}
