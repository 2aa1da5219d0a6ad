package web

import "recoup/auth"

// entityRoutes are the entity pages: the list with contact windows, and each entity's window and sending gates.
var entityRoutes = []route{
	{method: "GET", path: "/entities", action: auth.EntitiesRead, handle: (*Handler).entityList},
	{method: "GET", path: "/entities/:code", action: auth.EntitiesWrite, handle: (*Handler).entityEdit},
	{method: "POST", path: "/entities/:code", action: auth.EntitiesWrite, handle: (*Handler).entityWindowSave},
	{method: "POST", path: "/entities/:code/sender", action: auth.EntitiesWrite, handle: (*Handler).entitySenderSave},
	{method: "POST", path: "/entities/:code/settings", action: auth.EntitiesWrite, handle: (*Handler).entitySettingsSave},
	{method: "POST", path: "/entities/:code/portal", action: auth.EntitiesWrite, handle: (*Handler).entityPortalSave},
}
