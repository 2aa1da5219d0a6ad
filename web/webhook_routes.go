package web

import "recoup/auth"

// webhookRoutes are the admins' pages of webhook subscriptions: the list,
// one subscription with its delivery log, and its two actions.
var webhookRoutes = []route{
	{method: "GET", path: "/webhooks", action: auth.WebhooksManage, handle: (*Handler).webhookList},
	{method: "GET", path: "/webhooks/:id", action: auth.WebhooksManage, handle: (*Handler).webhookShow},
	{method: "POST", path: "/webhooks/:id/test", action: auth.WebhooksManage, handle: (*Handler).webhookTest},
	{method: "POST", path: "/webhooks/:id/redeliver", action: auth.WebhooksManage, handle: (*Handler).webhookRedeliver},
}
