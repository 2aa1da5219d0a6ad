package web

import "recoup/auth"

// userRoutes are the admins' pages: users, their roles and perimeters, and
// the API tokens made for them (an ERP's import-only account).
var userRoutes = []route{
	{method: "GET", path: "/users", action: auth.UsersManage, handle: (*Handler).userList},
	{method: "GET", path: "/users/new", action: auth.UsersManage, handle: (*Handler).userNew},
	{method: "POST", path: "/users", action: auth.UsersManage, handle: (*Handler).userSave},
	{method: "GET", path: "/users/:id", action: auth.UsersManage, handle: (*Handler).userEdit},
	{method: "POST", path: "/users/:id/tokens", action: auth.UsersManage, handle: (*Handler).userTokenCreate},
	{method: "POST", path: "/users/:id/tokens/:token/revoke", action: auth.UsersManage, handle: (*Handler).userTokenRevoke},
}
