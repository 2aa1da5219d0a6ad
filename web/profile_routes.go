package web

import "recoup/auth"

// profileRoutes are one's own settings: language, password, API tokens.
var profileRoutes = []route{
	{method: "GET", path: "/profile", handle: (*Handler).profile},
	{method: "POST", path: "/profile/language", handle: (*Handler).profileLanguage},
	{method: "POST", path: "/profile/password", handle: (*Handler).profilePassword},
	{method: "POST", path: "/profile/digest", handle: (*Handler).profileDigest},
	{method: "POST", path: "/profile/notification-digest", handle: (*Handler).profileNotificationDigest},
	{method: "POST", path: "/profile/tokens", action: auth.TokensOwn, handle: (*Handler).profileTokenCreate},
	{method: "POST", path: "/profile/tokens/:id/revoke", action: auth.TokensOwn, handle: (*Handler).profileTokenRevoke},
}
