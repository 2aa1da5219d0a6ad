package web

import "recoup/auth"

// notificationRoutes are one's in-app notifications and marking them read.
var notificationRoutes = []route{
	{method: "GET", path: "/notifications", action: auth.NotificationsOwn, handle: (*Handler).notificationList},
	{method: "POST", path: "/notifications/read", action: auth.NotificationsOwn, handle: (*Handler).notificationReadAll},
	{method: "POST", path: "/notifications/:id/read", action: auth.NotificationsOwn, handle: (*Handler).notificationRead},
}
